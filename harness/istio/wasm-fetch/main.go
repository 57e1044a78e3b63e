// Command istio-wasm-fetch does with a WasmPlugin's module what istio-agent does before
// Envoy sees it: Istio's own pkg/wasm converts ECDS resources as istiod sends them, pulling
// a module named by oci:// or http(s):// into a local cache and rewriting the resource to
// name that local file. Input on stdin: istiod's /debug/ecdsz for a proxy (an Envoy admin
// ConfigDump of the Wasm configs it sends); output: the resources as istio-agent would pass
// them to Envoy, TypedExtensionConfigs in a ConfigDump. pilot-agent itself cannot run on a
// loopback-only machine (its status server listens on all addresses), so this is the
// agent's conversion without the agent.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"

	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/util/sets"
	"istio.io/istio/pkg/wasm"
)

func main() {
	cacheDir := flag.String("cache-dir", "", "directory the modules are downloaded into")
	insecure := flag.String("insecure-registries", "", "comma-separated registries reached over plain HTTP")
	out := flag.String("out", "", "file the converted ConfigDump is written to")
	flag.Parse()
	// Istio logs to stdout by default; its log is not the output.
	logOptions := log.DefaultOptions()
	logOptions.OutputPaths = []string{"stderr"}
	if err := log.Configure(logOptions); err != nil {
		fmt.Fprintln(os.Stderr, "istio-wasm-fetch:", err)
		os.Exit(1)
	}
	if err := run(*cacheDir, *insecure, *out); err != nil {
		fmt.Fprintln(os.Stderr, "istio-wasm-fetch:", err)
		os.Exit(1)
	}
}

func run(cacheDir, insecure, out string) error {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	var dump adminv3.ConfigDump
	if err := protojson.Unmarshal(input, &dump); err != nil {
		return fmt.Errorf("reading the ConfigDump: %w", err)
	}
	cache := wasm.NewLocalFileCache(cacheDir, wasm.Options{
		PurgeInterval:         wasm.DefaultPurgeInterval,
		ModuleExpiry:          wasm.DefaultModuleExpiry,
		InsecureRegistries:    sets.New(strings.Split(insecure, ",")...),
		HTTPRequestTimeout:    wasm.DefaultHTTPRequestTimeout,
		HTTPRequestMaxRetries: wasm.DefaultHTTPRequestMaxRetries,
	})
	defer cache.Cleanup()
	// On the wire each Wasm config travels in a TypedExtensionConfig named after it.
	resources := make([]*anypb.Any, 0, len(dump.Configs))
	for _, config := range dump.Configs {
		var filter wasmv3.Wasm
		if err := config.UnmarshalTo(&filter); err != nil {
			return fmt.Errorf("not a Wasm filter config: %w", err)
		}
		resource, err := anypb.New(&corev3.TypedExtensionConfig{Name: filter.GetConfig().GetName(), TypedConfig: config})
		if err != nil {
			return err
		}
		resources = append(resources, resource)
	}
	if err := wasm.MaybeConvertWasmExtensionConfig(resources, cache); err != nil {
		return fmt.Errorf("converting: %w", err)
	}
	output, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(&adminv3.ConfigDump{Configs: resources})
	if err != nil {
		return err
	}
	return os.WriteFile(out, output, 0o644)
}
