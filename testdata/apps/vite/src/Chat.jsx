import { useState } from "react";

export default function Chat() {
  const [log, setLog] = useState([]);
  async function send(text) {
    const apiKey = import.meta.env.VITE_OPENAI_API_KEY;
    const res = await fetch("https://api.openai.com/v1/responses", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + apiKey },
      body: JSON.stringify({ model: "gpt-4o-mini", input: text }),
    });
    const data = await res.json();
    setLog((l) => [...l, data.output_text]);
  }
  return (
    <section>
      {log.map((line, i) => (
        <p key={i}>{line}</p>
      ))}
      <button onClick={() => send("Hi")}>Send</button>
    </section>
  );
}
