package codedeploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Alarms is how a deployment reads the states of its CloudWatch alarms.
type Alarms interface {
	// AlarmStates answers the state (OK, ALARM, INSUFFICIENT_DATA) of each named alarm of the
	// account that exists; a missing alarm is absent from the map.
	AlarmStates(ctx context.Context, account string, names []string) (map[string]string, error)
}

// alarmConfig is an AlarmConfiguration as a deployment watches it.
type alarmConfig struct {
	Enabled                flexBool `json:"enabled"`
	IgnorePollAlarmFailure flexBool `json:"ignorePollAlarmFailure"`
	Alarms                 []struct {
		Name string `json:"name"`
	} `json:"alarms"`
}

// parseAlarms reads an AlarmConfiguration document (nil: none).
func parseAlarms(v any) (*alarmConfig, error) {
	if v == nil {
		return nil, nil
	}
	b, _ := json.Marshal(v)
	var c alarmConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, ErrInvalidAlarmConfig.Errorf("The alarm configuration is not valid: %v", err)
	}
	if len(c.Alarms) > 10 {
		return nil, ErrInvalidAlarmConfig.Errorf("The alarm configuration may name at most 10 alarms.")
	}
	for _, a := range c.Alarms {
		if a.Name == "" {
			return nil, ErrInvalidAlarmConfig.Errorf("An alarm of the alarm configuration has no name.")
		}
	}
	if c.Enabled && len(c.Alarms) == 0 {
		return nil, ErrInvalidAlarmConfig.Errorf("The alarm configuration is enabled but names no alarm.")
	}
	return &c, nil
}

func (c *alarmConfig) names() []string {
	out := make([]string, len(c.Alarms))
	for i, a := range c.Alarms {
		out[i] = a.Name
	}
	return out
}

// alarmStop says why a deployment must stop for its alarms ("" when it goes on), as CodeDeploy
// polls them during a deployment: any alarm in ALARM stops it; an alarm that cannot be read
// (missing, or CloudWatch failing) stops it too unless ignorePollAlarmFailure is set.
func (s *Service) alarmStop(ctx context.Context, d *deployment) string {
	c, _ := parseAlarms(d.Alarms)
	if c == nil || !c.Enabled || s.alarms == nil {
		return ""
	}
	names := c.names()
	states, err := s.alarms.AlarmStates(ctx, d.Account, names)
	if err != nil {
		if c.IgnorePollAlarmFailure || ctx.Err() != nil {
			return ""
		}
		return fmt.Sprintf("The deployment was stopped because the state of its alarms could not be retrieved from Amazon CloudWatch: %v", err)
	}
	var firing, unknown []string
	for _, n := range names {
		switch st, ok := states[n]; {
		case !ok:
			unknown = append(unknown, n)
		case st == "ALARM":
			firing = append(firing, n)
		}
	}
	if len(firing) > 0 {
		return "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: " +
			strings.Join(firing, ", ")
	}
	if len(unknown) > 0 && !c.IgnorePollAlarmFailure {
		return "The deployment was stopped because the state of its alarms could not be retrieved from Amazon CloudWatch: no alarm named " + strings.Join(unknown, ", ")
	}
	return ""
}

// flexBool reads a boolean, or its text ("true"), as CloudFormation templates may give one.
type flexBool bool

func (b *flexBool) UnmarshalJSON(p []byte) error {
	var v any
	if err := json.Unmarshal(p, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*b = flexBool(x)
	case string:
		parsed, err := strconv.ParseBool(x)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", x)
		}
		*b = flexBool(parsed)
	case nil:
	default:
		return fmt.Errorf("%v is not a boolean", v)
	}
	return nil
}
