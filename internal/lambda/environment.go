package lambda

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/sandbox"
)

// sandboxSpec is the sandbox a version's environment runs in: its program by runtime and the
// environment variables a Lambda runtime expects.
func (s *Service) sandboxSpec(c *FunctionConfiguration, code, stream string) (sandbox.Spec, error) {
	s.runtimes.load()
	spec := sandbox.Spec{Code: code, MemoryMB: int(c.MemorySize), TmpMB: defaultTmpMB, Ports: []int{runtimePort, endpointPort}}
	if c.EphemeralStorage != nil {
		spec.TmpMB = int(c.EphemeralStorage.Size)
	}
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        c.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION":     c.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(int(c.MemorySize)),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + c.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_RUNTIME_API":          "127.0.0.1:" + strconv.Itoa(runtimePort),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      s.cfg.Region,
		"AWS_DEFAULT_REGION":              s.cfg.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + c.Runtime,
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:" + strconv.Itoa(endpointPort),
		"_HANDLER":                        c.Handler,
		"LAMBDA_TASK_ROOT":                "/var/task",
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LD_LIBRARY_PATH":                 "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
		"HOME":                            "/tmp",
	}
	if c.LoggingConfig != nil && c.LoggingConfig.LogGroup != "" {
		env["AWS_LAMBDA_LOG_GROUP_NAME"] = c.LoggingConfig.LogGroup
	}
	if jsonLogs(c) { // the runtime clients write JSON records at or above the level
		env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		env["AWS_LAMBDA_LOG_LEVEL"] = c.LoggingConfig.ApplicationLogLevel
	}
	switch served[c.Runtime] {
	case kindProvided:
		spec.Argv = []string{"/var/task/bootstrap"}
		if _, err := os.Stat(filepath.Join(code, "bootstrap")); err != nil {
			spec.Argv = []string{"/opt/bootstrap"}
		}
	case kindPython:
		spec.Runtime = filepath.Join(s.runtimes.dir, "python")
		spec.Binds = s.runtimes.python.binds
		spec.Argv = []string{s.runtimes.python.exe, "-u", "/var/runtime/bootstrap.py"}
		ver := strings.TrimPrefix(c.Runtime, "python")
		env["PYTHONPATH"] = "/var/runtime:/var/task:/opt/python:/opt/python/lib/python" + ver + "/site-packages"
		env["PYTHONDONTWRITEBYTECODE"] = "1"
	case kindNode:
		spec.Runtime = filepath.Join(s.runtimes.dir, "node")
		spec.Binds = s.runtimes.node.binds
		spec.Argv = []string{s.runtimes.node.exe, "/var/runtime/index.mjs"}
		env["NODE_PATH"] = "/opt/nodejs/node_modules:/opt/nodejs/node" + strings.TrimSuffix(strings.TrimPrefix(c.Runtime, "nodejs"), ".x") + "/node_modules:/var/runtime/node_modules"
	}
	if c.Environment != nil {
		for k, v := range c.Environment.Variables {
			env[k] = v
		}
	}
	for k, v := range env {
		spec.Env = append(spec.Env, k+"="+v)
	}
	return spec, nil
}
