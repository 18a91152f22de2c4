import { Suspense, lazy, useState } from "react";
import { complete } from "./openai.js";

// The chat panel is loaded on demand: Vite puts it in a chunk of its own.
const Chat = lazy(() => import("./Chat.jsx"));

export default function App() {
  const [open, setOpen] = useState(false);
  const [answer, setAnswer] = useState("");
  return (
    <main>
      <h1>Ask the model</h1>
      <button onClick={async () => setAnswer(await complete("Hello"))}>Ask</button>
      <p>{answer}</p>
      <button onClick={() => setOpen(true)}>Open chat</button>
      {open && (
        <Suspense fallback={<p>Loading…</p>}>
          <Chat />
        </Suspense>
      )}
    </main>
  );
}
