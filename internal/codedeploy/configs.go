package codedeploy

import (
	"context"
	"sort"
	"time"
)

// config is a Lambda deployment configuration: how traffic moves to the target version.
type config struct {
	kind     string // TimeBasedCanary, TimeBasedLinear, AllAtOnce
	percent  int    // the canary's share, or each linear step's
	interval int    // minutes between steps
}

// configs are CodeDeploy's predefined Lambda deployment configurations.
var configs = map[string]config{
	"CodeDeployDefault.LambdaAllAtOnce":                     {kind: "AllAtOnce"},
	"CodeDeployDefault.LambdaCanary10Percent5Minutes":       {kind: "TimeBasedCanary", percent: 10, interval: 5},
	"CodeDeployDefault.LambdaCanary10Percent10Minutes":      {kind: "TimeBasedCanary", percent: 10, interval: 10},
	"CodeDeployDefault.LambdaCanary10Percent15Minutes":      {kind: "TimeBasedCanary", percent: 10, interval: 15},
	"CodeDeployDefault.LambdaCanary10Percent30Minutes":      {kind: "TimeBasedCanary", percent: 10, interval: 30},
	"CodeDeployDefault.LambdaLinear10PercentEvery1Minute":   {kind: "TimeBasedLinear", percent: 10, interval: 1},
	"CodeDeployDefault.LambdaLinear10PercentEvery2Minutes":  {kind: "TimeBasedLinear", percent: 10, interval: 2},
	"CodeDeployDefault.LambdaLinear10PercentEvery3Minutes":  {kind: "TimeBasedLinear", percent: 10, interval: 3},
	"CodeDeployDefault.LambdaLinear10PercentEvery10Minutes": {kind: "TimeBasedLinear", percent: 10, interval: 10},
}

// steps are the target version's shares of traffic, in percent, each held for the interval
// before the next; the last is 100.
func (c config) steps() []int {
	switch c.kind {
	case "TimeBasedCanary":
		return []int{c.percent, 100}
	case "TimeBasedLinear":
		var out []int
		for p := c.percent; p < 100; p += c.percent {
			out = append(out, p)
		}
		return append(out, 100)
	}
	return []int{100}
}

// GetDeploymentConfig describes a predefined Lambda configuration.
func (s *Service) GetDeploymentConfig(ctx context.Context, in *DeploymentConfigInput) (*GetDeploymentConfigOutput, error) {
	if in.DeploymentConfigName == "" {
		return nil, ErrDeploymentConfigNameRequired.Errorf("Deployment config name is missing")
	}
	c, ok := configs[in.DeploymentConfigName]
	if !ok {
		return nil, ErrDeploymentConfigDoesNotExist.Errorf("No deployment configuration found for name: %s", in.DeploymentConfigName)
	}
	routing := map[string]any{"type": c.kind}
	switch c.kind {
	case "TimeBasedCanary":
		routing["timeBasedCanary"] = map[string]any{"canaryPercentage": c.percent, "canaryInterval": c.interval}
	case "TimeBasedLinear":
		routing["timeBasedLinear"] = map[string]any{"linearPercentage": c.percent, "linearInterval": c.interval}
	}
	return &GetDeploymentConfigOutput{DeploymentConfigInfo: &DeploymentConfigInfo{DeploymentConfigID: in.DeploymentConfigName,
		DeploymentConfigName: in.DeploymentConfigName, CreateTime: epoch(time.Unix(1500000000, 0).UTC()), ComputePlatform: "Lambda",
		TrafficRoutingConfig: routing}}, nil
}

// ListDeploymentConfigs lists the predefined Lambda configurations.
func (s *Service) ListDeploymentConfigs(ctx context.Context, in *ListInput) (*ListDeploymentConfigsOutput, error) {
	out := &ListDeploymentConfigsOutput{DeploymentConfigsList: []string{}}
	for name := range configs {
		out.DeploymentConfigsList = append(out.DeploymentConfigsList, name)
	}
	sort.Strings(out.DeploymentConfigsList)
	return out, nil
}
