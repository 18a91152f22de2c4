import Link from "next/link";
import { useState } from "react";
import { ask } from "../lib/openai";

export default function Home() {
  const [answer, setAnswer] = useState("");
  return (
    <main>
      <h1>Ask the model</h1>
      <button onClick={async () => setAnswer(await ask("Hello"))}>Ask</button>
      <p>{answer}</p>
      <Link href="/about">About</Link>
    </main>
  );
}
