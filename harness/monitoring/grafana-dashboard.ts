// The parts of a Grafana dashboard's JSON the checks read: its panels and their queries.

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
}

export interface DashboardPanel {
  id: number;
  title: string;
  targets: DashboardTarget[];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

/** The dashboard in this JSON; throws, naming where it came from, unless every panel has a title and queries. */
export function parseDashboard(json: string, where: string): GrafanaDashboard {
  let dashboard: GrafanaDashboard;
  try {
    dashboard = JSON.parse(json) as GrafanaDashboard;
  } catch (err) {
    throw new Error(`${where}: not JSON: ${(err as Error).message}`);
  }
  if (!dashboard.uid || !dashboard.title) throw new Error(`${where}: a dashboard needs a uid and a title`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) throw new Error(`${where}: the dashboard has no panels`);
  for (const panel of dashboard.panels) {
    const name = `${where}: panel ${panel.id} "${panel.title}"`;
    if (!panel.title) throw new Error(`${name} has no title`);
    if (!Array.isArray(panel.targets) || panel.targets.length === 0) throw new Error(`${name} has no targets`);
    for (const target of panel.targets) {
      if (!target.refId || typeof target.expr !== "string" || target.expr.trim() === "") {
        throw new Error(`${name}: target ${target.refId} has no refId or no expr`);
      }
    }
  }
  return dashboard;
}
