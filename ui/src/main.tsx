import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "tdesign-react/es/style/index.css";
import "./app.css";
import { App } from "./App";
import { initTheme } from "./theme";

initTheme();

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
