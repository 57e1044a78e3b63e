// The benchmark as a picture: grouped bars per protocol and case, one panel per question
// (CPU per request, the Wasm runtimes, the real-upstream scenario), each with its own
// legend; drawn as SVG and rendered to PNG by resvg.
import { Resvg } from "@resvg/resvg-js";
import { type BenchEntry, COLUMNS, type Column, entryAt, entryKey, PROTOCOLS } from "./bench-table.js";

interface Series {
  key: string;
  label: string;
  color: string;
}

interface Panel {
  title: string;
  unit: string;
  value: (e: BenchEntry) => number;
  series: Series[];
  /** Whether the panel says anything with the series this run measured. */
  onlyIf?: (present: Series[]) => boolean;
}

const WIDTH = 940;
const LEFT = 60;
const PLOT_WIDTH = WIDTH - LEFT - 20;
const PLOT_HEIGHT = 190;
const CHAR_WIDTH = 6.2;

const REAL_UPSTREAM_SERIES: Series[] = [
  { key: "no-filter/-/real", label: "no filter", color: "#bdbdbd" },
  { key: "lua-same-work/-/real", label: "Lua, same work", color: "#1f77b4" },
  { key: "wasm-noop/v8/real", label: "Wasm do-nothing floor", color: "#636363" },
  { key: "version-router/v8/real", label: "version-router", color: "#ff7f0e" },
];

const PANELS: Panel[] = [
  {
    title: "Envoy CPU per request (µs, lower is better): Envoy answers itself, V8",
    unit: "µs",
    value: (e) => e.cpu_us_per_request,
    series: [
      { key: "no-filter/-/direct", label: "no filter", color: "#bdbdbd" },
      { key: "lua-seed/-/direct", label: "Lua (seed, gRPC only)", color: "#9ecae1" },
      { key: "lua-same-work/-/direct", label: "Lua, same work", color: "#1f77b4" },
      { key: "wasm-noop/v8/direct", label: "Wasm do-nothing floor", color: "#636363" },
      { key: "version-router/v8/direct", label: "version-router", color: "#ff7f0e" },
      { key: "gcore-sdk/v8/direct", label: "same on gcore SDK", color: "#9467bd" },
    ],
  },
  {
    title: "Wasm runtimes: Envoy CPU per request (µs, lower is better)",
    unit: "µs",
    value: (e) => e.cpu_us_per_request,
    series: [
      { key: "wasm-noop/v8/direct", label: "floor, V8", color: "#636363" },
      { key: "wasm-noop/wasmtime/direct", label: "floor, wasmtime", color: "#969696" },
      { key: "wasm-noop/wamr/direct", label: "floor, WAMR", color: "#cccccc" },
      { key: "version-router/v8/direct", label: "version-router, V8", color: "#ff7f0e" },
      { key: "version-router/wasmtime/direct", label: "version-router, wasmtime", color: "#fdae6b" },
      { key: "version-router/wamr/direct", label: "version-router, WAMR", color: "#fdd0a2" },
    ],
    onlyIf: (present) => new Set(present.map((s) => s.key.split("/")[1])).size > 1,
  },
  {
    title: "Real upstream servers: requests per second (higher is better)",
    unit: "req/s",
    value: (e) => e.rps,
    series: REAL_UPSTREAM_SERIES,
  },
  {
    title: "Real upstream servers: Envoy CPU per request (µs, lower is better)",
    unit: "µs",
    value: (e) => e.cpu_us_per_request,
    series: REAL_UPSTREAM_SERIES,
  },
];

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Swatches and labels left to right, wrapping at the chart's width; returns the height used. */
function legend(series: Series[], top: number, out: string[]): number {
  let x = LEFT;
  let y = top;
  for (const s of series) {
    const width = 18 + s.label.length * CHAR_WIDTH + 18;
    if (x + width > WIDTH - 10) {
      x = LEFT;
      y += 16;
    }
    out.push(
      `<rect x="${x}" y="${y}" width="11" height="11" fill="${s.color}"/>`,
      `<text x="${x + 15}" y="${y + 10}" font-size="11">${escapeXml(s.label)}</text>`,
    );
    x += width;
  }
  return y + 16 - top;
}

/** A step for the value axis: 1, 2 or 5 times a power of ten, giving about five lines. */
function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
}

function panel(entries: BenchEntry[], p: Panel, top: number, out: string[]): number {
  const series = p.series.filter((s) => entries.some((e) => entryKey(e) === s.key));
  // A panel that compares nothing (e.g. runtimes, on an Envoy build with V8 only) is left out.
  if (series.length < 2 || (p.onlyIf && !p.onlyIf(series))) return 0;
  out.push(`<text x="${LEFT}" y="${top + 14}" font-size="14" font-weight="bold">${escapeXml(p.title)}</text>`);
  const plotTop = top + 26 + legend(series, top + 24, out) + 8;
  const groups = COLUMNS;
  const cell = (key: string, g: Column) => entryAt(entries, key, g);
  const values = groups.flatMap((g) =>
    series
      .map((s) => cell(s.key, g))
      .filter((e) => e !== undefined)
      .map(p.value),
  );
  const step = niceStep(Math.max(...values));
  const max = Math.ceil(Math.max(...values) / step) * step;
  const y = (v: number) => plotTop + PLOT_HEIGHT - (v / max) * PLOT_HEIGHT;
  for (let v = 0; v <= max + step / 2; v += step) {
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`,
      `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="10" text-anchor="end">${v.toLocaleString("en-US")}</text>`,
    );
  }
  const groupWidth = PLOT_WIDTH / groups.length;
  const bar = Math.min(14, (groupWidth - 10) / series.length);
  groups.forEach((g, i) => {
    const x0 = LEFT + i * groupWidth + (groupWidth - bar * series.length) / 2;
    series.forEach((s, j) => {
      const e = cell(s.key, g);
      if (!e) return;
      const v = p.value(e);
      out.push(
        `<rect x="${(x0 + j * bar).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(plotTop + PLOT_HEIGHT - y(v)).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${s.label} ${g.protocol} ${g.case}: ${v} ${p.unit}`)}</title></rect>`,
      );
    });
    out.push(
      `<text x="${(LEFT + (i + 0.5) * groupWidth).toFixed(1)}" y="${plotTop + PLOT_HEIGHT + 13}" font-size="10" text-anchor="middle">${g.case}</text>`,
    );
  });
  const perProtocol = groups.length / PROTOCOLS.length;
  PROTOCOLS.forEach((protocol, i) => {
    const x1 = LEFT + i * perProtocol * groupWidth;
    const x2 = x1 + perProtocol * groupWidth;
    const label = protocol === "http1" ? "HTTP/1.1" : protocol === "http2" ? "HTTP/2" : "gRPC";
    out.push(
      `<line x1="${(x1 + 4).toFixed(1)}" x2="${(x2 - 4).toFixed(1)}" y1="${plotTop + PLOT_HEIGHT + 19}" y2="${plotTop + PLOT_HEIGHT + 19}" stroke="#757575"/>`,
      `<text x="${((x1 + x2) / 2).toFixed(1)}" y="${plotTop + PLOT_HEIGHT + 32}" font-size="11" font-weight="bold" text-anchor="middle">${label}</text>`,
    );
  });
  return plotTop + PLOT_HEIGHT + 48 - top;
}

export function renderChartPng(entries: BenchEntry[], subtitle: string): Buffer {
  const body: string[] = [];
  let top = 62;
  for (const p of PANELS) top += panel(entries, p, top, body);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" font-family="DejaVu Sans">
<rect width="100%" height="100%" fill="white"/>
<text x="${LEFT}" y="26" font-size="18" font-weight="bold">version-router: make bench, medians of alternated rounds</text>
<text x="${LEFT}" y="46" font-size="11" fill="#555">${escapeXml(subtitle)}</text>
${body.join("\n")}
</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}
