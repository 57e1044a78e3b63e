// The configuration as requests read it: the validated model compiled once into the bytes
// requests are compared against, each key's slot in the request scan, the counters' places and
// the host index. compileConfig builds it whole; nothing in it changes afterwards.
import { CohortModel, KeyModel, KeySource, MatchKind, RouterModel, ServiceModel, Weights } from "./config-model";
import { HostIndex } from "./host-index";
import { utf8 } from "./proxy-wasm";
import { REASON_COUNT } from "./reasons";

/** A header or cookie a decision reads; a header's value is found at `slot` of the request scan. */
export class Key {
  readonly nameBytes: ArrayBuffer;
  constructor(
    readonly source: KeySource,
    name: string,
    readonly slot: i32,
  ) {
    this.nameBytes = utf8(name);
  }
}

export class Cohort {
  readonly kind: MatchKind;
  readonly value: ArrayBuffer;
  /** A fixed version index, or -1 when `weights` decides. */
  readonly version: i32;
  readonly weights: Weights | null;
  constructor(
    readonly key: Key,
    model: CohortModel,
  ) {
    this.kind = model.kind;
    this.value = utf8(model.value);
    this.version = model.version;
    this.weights = model.weights;
  }
}

// Gives each header a key reads one slot in the request scan, shared by every key that reads it.
class KeySlots {
  names: string[] = [];
  headers: ArrayBuffer[] = [];
  cookies: bool = false;

  key(model: KeyModel): Key {
    if (model.source == KeySource.Cookie) {
      this.cookies = true;
      return new Key(KeySource.Cookie, model.name, -1);
    }
    let slot = this.names.indexOf(model.name);
    if (slot < 0) {
      slot = this.names.length;
      this.names.push(model.name);
      this.headers.push(utf8(model.name));
    }
    return new Key(KeySource.Header, model.name, slot);
  }
}

export class Service {
  /** UTF-8 forms, so a request is matched byte for byte without decoding. */
  readonly headerBytes: ArrayBuffer;
  readonly versionBytes: ArrayBuffer[];
  readonly decisionHeaderBytes: ArrayBuffer;
  readonly pathBytes: ArrayBuffer[];
  /** The distinct request headers stickyBy and the cohorts read, by slot. */
  readonly keyHeaders: ArrayBuffer[];
  readonly readsCookies: bool;
  readonly stickyBy: Key | null;
  readonly cohorts: Cohort[];

  constructor(
    readonly model: ServiceModel,
    /** Where this service's counters start: version * REASON_COUNT + reason counts from here. */
    readonly counterBase: i32,
  ) {
    this.headerBytes = utf8(model.header);
    this.decisionHeaderBytes = utf8(model.decisionHeader);
    this.versionBytes = utf8All(model.versions);
    this.pathBytes = utf8All(model.paths);
    const slots = new KeySlots();
    const sticky = model.stickyBy;
    this.stickyBy = sticky !== null ? slots.key(sticky) : null;
    const cohorts: Cohort[] = [];
    for (let i = 0; i < model.cohorts.length; i++) cohorts.push(new Cohort(slots.key(model.cohorts[i].key), model.cohorts[i]));
    this.cohorts = cohorts;
    this.keyHeaders = slots.headers;
    this.readsCookies = slots.cookies;
  }

  get counterCount(): i32 {
    return this.model.versions.length * REASON_COUNT;
  }
}

export class Router {
  readonly services: Service[];
  readonly hosts: HostIndex;
  /** False when one service owns every request (hosts `*`, no paths): then no request needs its host read. */
  readonly scoped: bool;
  /** Counters of every service, end to end. */
  readonly counterCount: i32;

  constructor(model: RouterModel) {
    const services: Service[] = [];
    let counters = 0;
    for (let i = 0; i < model.services.length; i++) {
      const service = new Service(model.services[i], counters);
      services.push(service);
      counters += service.counterCount;
    }
    this.services = services;
    this.counterCount = counters;
    this.hosts = new HostIndex(model.services);
    const only = model.services[0];
    this.scoped = model.services.length > 1 || only.paths.length > 0 || !everyHost(only);
  }
}

/** Whether a service claims every host. */
export function everyHost(model: ServiceModel): bool {
  return model.hosts.includes("*");
}

function utf8All(texts: string[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (let i = 0; i < texts.length; i++) out.push(utf8(texts[i]));
  return out;
}

/** The one step from a validated model to what requests read. */
export function compileConfig(model: RouterModel): Router {
  return new Router(model);
}
