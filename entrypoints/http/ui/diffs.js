// Two prompts side by side, their differences marked by the vendored jsdiff (word level).

import "./vendor/diff/diff.min.js"; // a UMD bundle: defines globalThis.Diff
import { h } from "./dom.js";

const { diffWordsWithSpace } = globalThis.Diff;

export function promptText(messages) {
  return (messages || []).map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
}

/** Two <pre> panes: the left keeps what the right removed (<del>), the right what it added (<ins>). */
export function sideBySide(leftTitle, leftText, rightTitle, rightText) {
  const left = h("pre", { class: "prompt", id: "baseline-prompt" });
  const right = h("pre", { class: "prompt", id: "best-prompt" });
  for (const part of diffWordsWithSpace(leftText, rightText)) {
    if (part.added) right.append(h("ins", {}, part.value));
    else if (part.removed) left.append(h("del", {}, part.value));
    else {
      left.append(part.value);
      right.append(part.value);
    }
  }
  return h(
    "div",
    { class: "side-by-side" },
    h("section", {}, h("h3", {}, leftTitle), left),
    h("section", {}, h("h3", {}, rightTitle), right),
  );
}
