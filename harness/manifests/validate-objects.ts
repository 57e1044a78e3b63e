// Validates rendered objects against the schemas that kubernetes-models (Kubernetes, admission
// policies included), @kubernetes-models/istio (Istio 1.29.2's CRDs: the Istio suites then apply
// every release to an API server holding Istio 1.31's own), @kubernetes-models/gateway-api and
// @kubernetes-models/prometheus-operator ship; and the Grafana dashboards in ConfigMaps, which no
// schema covers, for JSON with queries in every panel.

import { Gateway as GatewayApiGateway, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1";
import { DestinationRule, Gateway, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1";
import { PodMonitor, PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { parseDashboard } from "../monitoring/grafana-dashboard.js";
import type { K8sObject } from "./helm.js";

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  "apps/v1/Deployment": Deployment as unknown as Model,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": ValidatingAdmissionPolicy as unknown as Model,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": ValidatingAdmissionPolicyBinding as unknown as Model,
  "v1/Service": Service as unknown as Model,
  "v1/ServiceAccount": ServiceAccount as unknown as Model,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler as unknown as Model,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as Model,
  "v1/ConfigMap": ConfigMap as unknown as Model,
  "networking.istio.io/v1/DestinationRule": DestinationRule as unknown as Model,
  "networking.istio.io/v1/VirtualService": VirtualService as unknown as Model,
  "networking.istio.io/v1/Gateway": Gateway as unknown as Model,
  "extensions.istio.io/v1alpha1/WasmPlugin": WasmPlugin as unknown as Model,
  "gateway.networking.k8s.io/v1/Gateway": GatewayApiGateway as unknown as Model,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute as unknown as Model,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule as unknown as Model,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor as unknown as Model,
};

// The chart's only ConfigMap data in JSON is a Grafana dashboard.
function validateDashboards(object: K8sObject): void {
  if (object.kind !== "ConfigMap") return;
  for (const [file, json] of Object.entries((object.data ?? {}) as Record<string, string>)) {
    if (file.endsWith(".json")) parseDashboard(json, file);
  }
}

/** Throws, naming the object, if it breaks its schema or has a kind this project does not know. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = MODELS[key];
  if (!model) throw new Error(`${key} ${object.metadata.name}: no schema known for this kind`);
  try {
    new model(object as never).validate();
    validateDashboards(object);
  } catch (err) {
    throw new Error(`${key} ${object.metadata.name}: ${(err as Error).message}`);
  }
}
