package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/gureum/gureum/internal/request"
	"path/filepath"

	"github.com/gureum/gureum/internal/blob"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/sandbox"
	"github.com/gureum/gureum/internal/store"
)

// newFunctions builds the Lambda service: code in the blob store under the data dir, sandboxes
// at the configured isolation level (auto: namespaces when possible, else loudly processes).
func newFunctions(st store.Store, cfg Config, files lambda.FileSystems) *lambda.Service {
	lc := lambda.Config{Store: st, Region: cfg.Region, DataDir: filepath.Join(cfg.DataDir, "functions"), Log: cfg.Log, Now: cfg.Now,
		FileSystems: files}
	if st == nil { // the catalog
		return lambda.New(lc)
	}
	if b, err := blob.NewFiles(filepath.Join(cfg.DataDir, "blobs")); err == nil {
		lc.Blobs = b
	} else if cfg.Log != nil {
		cfg.Log.Error("functions: no blob store", "err", err)
	}
	level, auto, err := sandbox.ParseLevel(cfg.Isolation)
	if err == nil {
		lc.Sandboxes, err = sandbox.New(sandbox.Config{Level: level, Auto: auto, StateDir: filepath.Join(cfg.DataDir, "sandbox"),
			Prebuilt: 2, PrebuiltPorts: lambda.SandboxPorts})
	}
	if err != nil && cfg.Log != nil {
		cfg.Log.Error("functions cannot run", "err", err)
	}
	if lc.Sandboxes != nil && cfg.Log != nil {
		if lc.Sandboxes.Level() == sandbox.Process {
			cfg.Log.Warn("FUNCTIONS RUN UNISOLATED as plain child processes", "reason", lc.Sandboxes.Reason())
		} else {
			cfg.Log.Info("functions run in namespace sandboxes", "cgroups", lc.Sandboxes.Cgroups())
		}
	}
	return lambda.New(lc)
}

// attachFunctions gives the Lambda service gureum's own handler, which it serves inside each
// sandbox for AWS_ENDPOINT_URL. (Its code download links are its data-plane endpoint.)
func (s *Server) attachFunctions() {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			fns.SetEndpoint(s.http.Handler, s.Endpoint())
		}
	}
}

// functionsHealth says in the health report how functions are isolated, loudly when they are not.
func (s *Server) functionsHealth(services map[string]string) {
	for _, c := range s.components {
		if fns, ok := c.(*lambda.Service); ok {
			level, reason := fns.Isolation()
			if reason != "" {
				services["lambda"] = "running; functions NOT isolated (" + level + "): " + reason
			} else {
				services["lambda"] = "running; isolation " + level
			}
		}
	}
}

// functionInvoker runs functions in process for other services: API Gateway's Lambda
// integrations and authorizers synchronously, and the asynchronous targets of SNS, EventBridge
// and Scheduler from their outbox deliveries, so that a run that fails is retried by its delivery
// (at least once, as Lambda's own asynchronous invocation promises). The call acts as the
// function's own account, as a service principal does.
type functionInvoker struct {
	fns     *lambda.Service
	service string // the calling service's principal, e.g. "sns.amazonaws.com"
}

// Invoke runs the function named by arn and answers its result and, when it failed, its error
// type (X-Amz-Function-Error).
func (f functionInvoker) Invoke(ctx context.Context, arn string, payload []byte) ([]byte, string, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return nil, "", fmt.Errorf("%q is not a function ARN", arn)
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "Invoke",
		Principal: &request.Principal{Account: parts[4], ARN: f.service, UserID: f.service}})
	out, err := f.fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: arn, InvocationType: "RequestResponse", Payload: payload})
	if err != nil {
		return nil, "", err
	}
	return out.Payload, out.FunctionError, nil
}

// InvokeAsync runs the function for an asynchronous target; a function error is an error, so the
// delivery is retried.
func (f functionInvoker) InvokeAsync(ctx context.Context, arn string, payload []byte) error {
	_, fnErr, err := f.Invoke(ctx, arn, payload)
	if err == nil && fnErr != "" {
		err = fmt.Errorf("function %s failed: %s", arn, fnErr)
	}
	return err
}

// Exists reports whether the function arn names exists (S3 checks a notification's destination).
func (f functionInvoker) Exists(ctx context.Context, arn string) bool {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return false
	}
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: "GetFunction",
		Principal: &request.Principal{Account: parts[4], ARN: f.service, UserID: f.service}})
	_, err := f.fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: arn})
	return err == nil
}

// rotationInvoker runs Secrets Manager's rotation steps, each a synchronous call that must succeed.
type rotationInvoker struct{ functionInvoker }

// Invoke runs one rotation step.
func (r rotationInvoker) Invoke(ctx context.Context, arn string, payload []byte) error {
	return r.functionInvoker.InvokeAsync(ctx, arn, payload)
}
