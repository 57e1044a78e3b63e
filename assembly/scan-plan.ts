// What the request scan must look for, worked out once per configuration: each header that
// stickyBy or a cohort reads gets a slot, so one pass over the request headers records them.
import { KeyRef, KeySource, RouterConfig, ScanPlan } from "./config-model";

export function planRequestScan(config: RouterConfig): ScanPlan {
  const plan = new ScanPlan();
  const names: string[] = [];
  const place = (ref: KeyRef, plan: ScanPlan, names: string[]): void => {
    if (ref.source == KeySource.Cookie) {
      plan.readsCookies = true;
      return;
    }
    let slot = names.indexOf(ref.name);
    if (slot < 0) {
      slot = names.length;
      names.push(ref.name);
      plan.keyHeaders.push(ref.nameBytes);
    }
    ref.slot = slot;
  };
  const sticky = config.stickyBy;
  if (sticky !== null) place(sticky, plan, names);
  for (let i = 0; i < config.cohorts.length; i++) place(config.cohorts[i].key, plan, names);
  return plan;
}
