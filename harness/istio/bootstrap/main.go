// Command istio-bootstrap writes the Envoy bootstrap that istio-agent (pilot-agent) writes
// before it starts a proxy's Envoy, with Istio's own code: the ProxyConfig from the mesh
// config file, PROXY_CONFIG and the pod's proxy.istio.io/config annotation
// (pilot-agent's config.ConstructProxyConfig), the node from ISTIO_META_* and the
// downward-API files ./etc/istio/pod/{labels,annotations} (bootstrap.GetNodeMetaData),
// rendered into Istio's bootstrap template (bootstrap.New). Run it in the pod's root
// directory, as the agent runs; the bootstrap goes to stdout. pilot-agent itself cannot run
// on a loopback-only machine (its status server listens on all addresses).
package main

import (
	"flag"
	"fmt"
	"os"

	"istio.io/istio/pilot/cmd/pilot-agent/config"
	"istio.io/istio/pkg/bootstrap"
	"istio.io/istio/pkg/log"
)

func main() {
	meshFile := flag.String("mesh", "", "mesh config file (the istio ConfigMap's mesh key), as mounted into a gateway pod")
	template := flag.String("template", "", "Istio's bootstrap template (tools/packaging/common/envoy_bootstrap.json)")
	id := flag.String("id", "", "the node id: <type>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local")
	ip := flag.String("ip", "", "the pod's address")
	cluster := flag.String("service-cluster", "istio-proxy", "pilot-agent's --serviceCluster")
	statusPort := flag.Int("status-port", 15021, "pilot-agent's --statusPort (Envoy's health listener)")
	prometheusPort := flag.Int("prometheus-port", 15090, "ENVOY_PROMETHEUS_PORT (Envoy's /stats/prometheus listener)")
	flag.Parse()
	logOptions := log.DefaultOptions()
	logOptions.OutputPaths = []string{"stderr"}
	if err := log.Configure(logOptions); err != nil {
		fail(err)
	}

	proxyConfig, err := config.ConstructProxyConfig(*meshFile, *cluster, os.Getenv("PROXY_CONFIG"), 0)
	if err != nil {
		fail(err)
	}
	node, err := bootstrap.GetNodeMetaData(bootstrap.MetadataOptions{
		ID:                  *id,
		Envs:                os.Environ(),
		InstanceIPs:         []string{*ip},
		ProxyConfig:         proxyConfig,
		EnvoyStatusPort:     *statusPort,
		EnvoyPrometheusPort: *prometheusPort,
	})
	if err != nil {
		fail(err)
	}
	if err := bootstrap.New(bootstrap.Config{Node: node}).WriteTo(*template, os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "istio-bootstrap:", err)
	os.Exit(1)
}
