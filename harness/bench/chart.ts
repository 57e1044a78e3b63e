// The benchmark as a picture: throughput and p99 latency per scenario, as grouped bars,
// drawn as SVG and rendered to PNG by resvg.
import { Resvg } from "@resvg/resvg-js";

export interface ChartRow {
  label: string;
  filter: string;
  rps: number;
  p99_us: number;
}

const COLORS: Record<string, string> = { "no-filter": "#9e9e9e", lua: "#1f77b4", "wasm-noop": "#555555", wasm: "#ff7f0e" };

function legend(x: number, y: number): string {
  return Object.entries(COLORS)
    .map(
      ([name, color], i) =>
        `<rect x="${x + i * 120}" y="${y}" width="12" height="12" fill="${color}"/><text x="${x + i * 120 + 16}" y="${y + 10}" font-size="11">${name}</text>`,
    )
    .join("\n");
}
const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panel(rows: readonly ChartRow[], value: (r: ChartRow) => number, title: string, unit: string, top: number): string {
  const left = 220;
  const width = 560;
  const bar = 14;
  const max = Math.max(...rows.map(value)) * 1.1;
  const parts = [`<text x="${left}" y="${top - 10}" font-size="15" font-weight="bold">${escapeXml(title)}</text>`];
  rows.forEach((row, i) => {
    const y = top + i * (bar + 4);
    const w = (value(row) / max) * width;
    parts.push(
      `<text x="${left - 8}" y="${y + bar - 3}" font-size="11" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[row.filter] ?? "#444"}"/>`,
      `<text x="${(left + w + 4).toFixed(1)}" y="${y + bar - 3}" font-size="10">${Math.round(value(row)).toLocaleString("en-US")} ${unit}</text>`,
    );
  });
  return parts.join("\n");
}

export function renderChartPng(rows: readonly ChartRow[], subtitle: string): Buffer {
  const panelHeight = rows.length * 18 + 40;
  const height = 70 + 2 * panelHeight;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${height}" font-family="DejaVu Sans">
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="28" font-size="18" font-weight="bold">version-router: Envoy 1 worker, median of rounds</text>
<text x="20" y="48" font-size="11" fill="#555">${escapeXml(subtitle)}</text>
${legend(520, 18)}
${panel(rows, (r) => r.rps, "Throughput (higher is better)", "req/s", 90)}
${panel(rows, (r) => r.p99_us, "p99 latency (lower is better)", "µs", 90 + panelHeight)}
</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}
