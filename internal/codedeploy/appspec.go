package codedeploy

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// appSpec is what a Lambda AppSpec file says: one function's alias to move from one version to
// another, and the functions that check the move before and after traffic shifts.
type appSpec struct {
	Function, Alias       string
	Current, Target       string
	BeforeHook, AfterHook string
}

// maxAppSpec bounds the AppSpec content read (AWS: RawStringContent, 64 KiB for YAML).
const maxAppSpec = 64 << 10

// parseAppSpec reads a Lambda AppSpec (YAML or JSON).
func parseAppSpec(content string) (*appSpec, error) {
	if len(content) > maxAppSpec {
		return nil, fmt.Errorf("The AppSpec content is larger than %d bytes", maxAppSpec)
	}
	var doc struct {
		Version   any                          `yaml:"version"`
		Resources []map[string]appSpecResource `yaml:"Resources"`
		Hooks     []map[string]string          `yaml:"Hooks"`
	}
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("The AppSpec file is not valid YAML or JSON: %v", err)
	}
	if v := fmt.Sprint(doc.Version); v != "0.0" && v != "0" {
		return nil, fmt.Errorf("The AppSpec file's version must be 0.0")
	}
	if len(doc.Resources) != 1 || len(doc.Resources[0]) != 1 {
		return nil, fmt.Errorf("The AppSpec file must name exactly one Lambda function in Resources")
	}
	spec := &appSpec{}
	for _, r := range doc.Resources[0] {
		if r.Type != "AWS::Lambda::Function" {
			return nil, fmt.Errorf("The AppSpec resource type %q is not AWS::Lambda::Function", r.Type)
		}
		p := r.Properties
		spec.Function, spec.Alias, spec.Current, spec.Target = p.Name, p.Alias, p.CurrentVersion, p.TargetVersion
	}
	if spec.Function == "" || spec.Alias == "" || spec.Current == "" || spec.Target == "" {
		return nil, fmt.Errorf("The AppSpec function needs Name, Alias, CurrentVersion and TargetVersion")
	}
	for _, h := range doc.Hooks {
		for event, fn := range h {
			switch event {
			case "BeforeAllowTraffic":
				spec.BeforeHook = fn
			case "AfterAllowTraffic":
				spec.AfterHook = fn
			default:
				return nil, fmt.Errorf("The AppSpec hook %q is not a Lambda lifecycle event (BeforeAllowTraffic, AfterAllowTraffic)", event)
			}
		}
	}
	return spec, nil
}

type appSpecResource struct {
	Type       string `yaml:"Type"`
	Properties struct {
		Name           string `yaml:"Name"`
		Alias          string `yaml:"Alias"`
		CurrentVersion string `yaml:"CurrentVersion"`
		TargetVersion  string `yaml:"TargetVersion"`
	} `yaml:"Properties"`
}
