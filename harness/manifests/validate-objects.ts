// Validates rendered objects against the Kubernetes and Istio 1.29 schemas that
// kubernetes-models and @kubernetes-models/istio ship.

import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1";
import { DestinationRule, Gateway, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import type { K8sObject } from "./helm.js";

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  "apps/v1/Deployment": Deployment as unknown as Model,
  "v1/Service": Service as unknown as Model,
  "networking.istio.io/v1/DestinationRule": DestinationRule as unknown as Model,
  "networking.istio.io/v1/VirtualService": VirtualService as unknown as Model,
  "networking.istio.io/v1/Gateway": Gateway as unknown as Model,
  "extensions.istio.io/v1alpha1/WasmPlugin": WasmPlugin as unknown as Model,
};

/** Throws, naming the object, if it breaks its schema or has a kind this project does not know. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = MODELS[key];
  if (!model) throw new Error(`${key} ${object.metadata.name}: no schema known for this kind`);
  try {
    new model(object as never).validate();
  } catch (err) {
    throw new Error(`${key} ${object.metadata.name}: ${(err as Error).message}`);
  }
}
