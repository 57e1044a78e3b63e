// The few Kubernetes API calls the harness makes (apply, get, list, delete), over the
// admin client certificate. Resource paths come from the API server's own discovery.
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KubeCredentials {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Resource {
  plural: string;
  namespaced: boolean;
}

const FIELD_MANAGER = "version-router-harness";

export class KubeClient {
  private readonly agent: Agent;
  private readonly resources = new Map<string, Promise<Map<string, Resource>>>();

  constructor(readonly credentials: KubeCredentials) {
    this.agent = new Agent({
      connect: {
        ca: readFileSync(credentials.caCert),
        cert: readFileSync(credentials.clientCert),
        key: readFileSync(credentials.clientKey),
      },
    });
  }

  /** GET/PATCH/DELETE/POST one API path; JSON in (a string is sent as it is) and out; errors carry the API's message. */
  async call<T>(method: "GET" | "PATCH" | "DELETE" | "POST", path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    return (await this.send<T>(method, path, body, contentType)).body;
  }

  /** The same, with the warnings the API server answered with (its Warning headers' texts). */
  private async send<T>(
    method: "GET" | "PATCH" | "DELETE" | "POST",
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ body: T; warnings: string[] }> {
    const res = await request(this.credentials.server + path, {
      method,
      dispatcher: this.agent,
      headers: { accept: "application/json", ...(body !== undefined ? { "content-type": contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new KubeError(res.statusCode, `${method} ${path}: ${res.statusCode} ${message}`);
    }
    const warnings = warningTexts(res.headers.warning);
    if (!text) return { body: undefined as T, warnings };
    try {
      return { body: JSON.parse(text) as T, warnings };
    } catch {
      return { body: text as T, warnings };
    }
  }

  private async resource(apiVersion: string, kind: string): Promise<Resource> {
    let found = this.resources.get(apiVersion);
    if (!found) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.call<{ resources: Array<{ name: string; kind: string; namespaced: boolean }> }>("GET", base).then(
        (list) =>
          new Map(list.resources.filter((r) => !r.name.includes("/")).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }])),
      );
      found.catch(() => this.resources.delete(apiVersion));
      this.resources.set(apiVersion, found);
    }
    const resource = (await found).get(kind);
    if (!resource) throw new Error(`the API server has no ${kind} in ${apiVersion}`);
    return resource;
  }

  private async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const { plural, namespaced } = await this.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = namespaced ? `/namespaces/${namespace ?? "default"}` : "";
    return `${base}${ns}/${plural}${name ? `/${name}` : ""}`;
  }

  /** Server-side apply: creates or updates the object, through admission webhooks. */
  async apply<T extends KubeObject>(object: T): Promise<T> {
    const path = await this.path(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
    return this.call<T>("PATCH", `${path}?fieldManager=${FIELD_MANAGER}&force=true`, object, "application/apply-patch+yaml");
  }

  /**
   * A create the API server only admits or refuses (dryRun=All): validation and admission run,
   * nothing is stored; it answers the object as it would be stored. `json`: the body as this
   * text, for numbers JavaScript would write differently (5.0, 1e3).
   */
  async dryRunCreate<T extends KubeObject>(object: T, json?: string): Promise<T> {
    return (await this.dryRunCreateWarnings(object, json)).object;
  }

  /** The same, with the warnings admission answered (Pod Security's warn mode among them). */
  async dryRunCreateWarnings<T extends KubeObject>(object: T, json?: string): Promise<{ object: T; warnings: string[] }> {
    const path = await this.path(object.apiVersion, object.kind, object.metadata.namespace);
    const { body, warnings } = await this.send<T>("POST", `${path}?dryRun=All&fieldManager=${FIELD_MANAGER}`, json ?? object);
    return { object: body, warnings };
  }

  async get<T extends KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.call<T>("GET", await this.path(apiVersion, kind, namespace, name)).catch((err: unknown) => {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    });
  }

  async list<T extends KubeObject>(apiVersion: string, kind: string, namespace?: string): Promise<T[]> {
    return (await this.call<{ items: T[] }>("GET", await this.path(apiVersion, kind, namespace))).items;
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    await this.call("DELETE", await this.path(apiVersion, kind, namespace, name)).catch((err: unknown) => {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The texts of Warning headers (RFC 7234: `299 - "text"`, one header or several). */
function warningTexts(header: string | string[] | undefined): string[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.flatMap((value) => [...value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")));
}
