import dynamic from "next/dynamic";

const Usage = dynamic(() => import("../components/Usage"), { ssr: false });

export default function About() {
  return (
    <main>
      <h1>About</h1>
      <p>A fixture for leakstop: a Next.js app whose client code holds a public variable.</p>
      <Usage />
    </main>
  );
}
