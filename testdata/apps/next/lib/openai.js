// The mistake this fixture exists for: a secret in a NEXT_PUBLIC_ variable is inlined into
// the client bundle that every visitor downloads.
const client = {
  baseURL: "https://api.openai.com/v1",
  apiKey: process.env.NEXT_PUBLIC_OPENAI_API_KEY,
};

export async function ask(prompt) {
  const res = await fetch(client.baseURL + "/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + client.apiKey },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
  });
  const data = await res.json();
  return data.choices[0].message.content;
}
