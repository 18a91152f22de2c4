import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Source maps as files beside the bundles, with sourceMappingURL comments: the shape
// leakstop reads on disk and over HTTP.
export default defineConfig({
  plugins: [react()],
  build: { sourcemap: true },
});
