import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Tauri loads the built files from dist/ (a standalone binary) or this dev server (port 5173).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
