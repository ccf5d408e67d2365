package server

import (
	"context"
	"github.com/gureum/gureum/internal/cloudwatch"

	"github.com/gureum/gureum/internal/codedeploy"
	"github.com/gureum/gureum/internal/lambda"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// newCodeDeploy builds CodeDeploy: its deployments invoke hooks through the function invoker
// and move aliases through Lambda, as CodeDeploy's service principal in the deployment's account.
func newCodeDeploy(st store.Store, env service.Env, cfg Config, fns *lambda.Service, inv functionInvoker, metrics *cloudwatch.Service) *codedeploy.Service {
	d := codedeploy.Deps{Env: env, Minute: cfg.DeployMinute}
	if st != nil {
		d.Store, d.Functions, d.Alarms = st, deployFunctions{functionInvoker: inv, fns: fns}, deployAlarms{metrics}
	}
	return codedeploy.New(d)
}

// deployFunctions is what a CodeDeploy deployment does to Lambda.
type deployFunctions struct {
	functionInvoker
	fns *lambda.Service
}

func (f deployFunctions) as(ctx context.Context, account, op string) context.Context {
	return request.With(ctx, &request.Info{ID: request.NewID(), Service: "lambda", Operation: op,
		Principal: &request.Principal{Account: account, ARN: "codedeploy.amazonaws.com", UserID: "codedeploy.amazonaws.com"}})
}

// Alias reads an alias's version and weights.
func (f deployFunctions) Alias(ctx context.Context, account, function, alias string) (string, map[string]float64, error) {
	a, err := f.fns.GetAlias(f.as(ctx, account, "GetAlias"), &lambda.AliasRef{FunctionName: function, Name: alias})
	if err != nil {
		return "", nil, err
	}
	var w map[string]float64
	if a.RoutingConfig != nil {
		w = a.RoutingConfig.AdditionalVersionWeights
	}
	return a.FunctionVersion, w, nil
}

// PointAlias sets an alias's version and weights (nil: all traffic to version).
func (f deployFunctions) PointAlias(ctx context.Context, account, function, alias, version string, weights map[string]float64) error {
	if weights == nil {
		weights = map[string]float64{}
	}
	_, err := f.fns.UpdateAlias(f.as(ctx, account, "UpdateAlias"), &lambda.AliasInput{FunctionName: function, AliasName: alias,
		FunctionVersion: &version, RoutingConfig: &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: weights}})
	return err
}

// deployAlarms is CloudWatch's alarm states for deployments.
type deployAlarms struct{ cw *cloudwatch.Service }

func (a deployAlarms) AlarmStates(ctx context.Context, account string, names []string) (map[string]string, error) {
	states, err := a.cw.AlarmStates(ctx, account, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(states))
	for _, st := range states {
		if st.Found {
			out[st.Name] = st.State
		}
	}
	return out, nil
}
