import { useEffect, useState } from "react";

// Loaded in the browser only, through next/dynamic: webpack puts it in a chunk that only
// its runtime knows the URL of.
export default function Usage() {
  const [models, setModels] = useState([]);
  useEffect(() => {
    fetch("https://api.openai.com/v1/models", {
      headers: { Authorization: `Bearer ${process.env.NEXT_PUBLIC_OPENAI_API_KEY}` },
    })
      .then((r) => r.json())
      .then((d) => setModels(d.data.map((m) => m.id)));
  }, []);
  return <ul>{models.map((id) => <li key={id}>{id}</li>)}</ul>;
}
