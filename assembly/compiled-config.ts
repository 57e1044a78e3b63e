// The configuration as requests read it: the validated model compiled once into the bytes
// requests are compared against, each key's slot in the request scan, the counters' places and
// the host index. compileConfig builds it whole; nothing in it changes afterwards.
import {
  CohortModel,
  IdentityModel,
  IdentitySource,
  KeyModel,
  KeySource,
  MatchKind,
  RouterModel,
  ServiceModel,
  Weights,
} from "./config-model";
import { HostIndex } from "./host-index";
import { Identity } from "./identity";
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
  /** The restricted versions `weights` can choose (a bit per version index). */
  readonly weightedRestricted: u32;
  constructor(
    /** The header or cookie it matches; null for a cohort of an identity. */
    readonly key: Key | null,
    readonly identity: Identity | null,
    model: CohortModel,
    restricted: u32,
  ) {
    this.kind = model.kind;
    this.value = utf8(model.value);
    this.version = model.version;
    this.weights = model.weights;
    this.weightedRestricted = model.weights !== null ? weightedIn(<Weights>model.weights, restricted) : 0;
  }
}

/** The versions among `mask` that `weights` gives a share. */
function weightedIn(weights: Weights, mask: u32): u32 {
  let out: u32 = 0;
  for (let i = 0; i < weights.cumulative.length; i++) {
    if ((mask & (1 << i)) != 0 && weights.of(i) > 0) out |= 1 << i;
  }
  return out;
}

// Gives each header a key reads one slot in the request scan, shared by every key that reads it.
class KeySlots {
  names: string[] = [];
  headers: ArrayBuffer[] = [];
  cookies: bool = false;

  identity(model: IdentityModel): Identity {
    const slot = model.source == IdentitySource.TrustedHeader ? this.key(new KeyModel(KeySource.Header, model.name)).slot : -1;
    return new Identity(model, slot);
  }

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
  /** Per version: the identities that may reach it, any one; empty for every request. */
  readonly restricted: Identity[][];
  /** The restricted versions, a bit per version index (MAX_VERSIONS is 32). */
  readonly restrictedMask: u32;
  /** The restricted versions the canary weights give a share. */
  readonly canaryRestricted: u32;

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
    const restricted: Identity[][] = [];
    let mask: u32 = 0;
    for (let v = 0; v < model.restricted.length; v++) {
      const identities: Identity[] = [];
      for (let i = 0; i < model.restricted[v].length; i++) identities.push(slots.identity(model.restricted[v][i]));
      if (identities.length > 0) mask |= 1 << v;
      restricted.push(identities);
    }
    this.restricted = restricted;
    this.restrictedMask = mask;
    const canary = model.canary;
    this.canaryRestricted = canary !== null ? weightedIn(canary, mask) : 0;
    const cohorts: Cohort[] = [];
    for (let i = 0; i < model.cohorts.length; i++) {
      const c = model.cohorts[i];
      const key = c.key;
      const identity = c.identity;
      cohorts.push(new Cohort(key !== null ? slots.key(key) : null, identity !== null ? slots.identity(identity) : null, c, mask));
    }
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
