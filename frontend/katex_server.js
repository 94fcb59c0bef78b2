// Typesets TeX at build time for frontend/unrolled_math.py: one JSON request per line on stdin,
// {"tex": "...", "display": true|false}, one JSON answer per line on stdout, {"html": "..."} or
// {"error": "..."}. One long-lived process serves a whole build (starting Node per formula is slow).
"use strict";
const katex = require("katex");
const readline = require("readline");

const lines = readline.createInterface({input: process.stdin, terminal: false});
lines.on("line", (line) => {
  let answer;
  try {
    const {tex, display} = JSON.parse(line);
    // htmlAndMathml: the HTML is what sighted readers see, the MathML is what screen readers read.
    answer = {html: katex.renderToString(tex, {displayMode: display, output: "htmlAndMathml",
                                                throwOnError: true, strict: "ignore"})};
  } catch (error) {
    answer = {error: String(error && error.message || error)};
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
