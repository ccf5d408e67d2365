package codedeploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
)

// The lifecycle of a Lambda deployment.
const (
	phaseBefore  = "BeforeAllowTraffic"
	phaseShift   = "AllowTraffic"
	phaseAfter   = "AfterAllowTraffic"
	hookHour     = 60 // a hook has an hour (of the service's minutes) to report its status
	rollbackNote = "Deployment was rolled back: the alias points to its version before the deployment again."
)

// poll is how often a waiting deployment looks at its record again (a hook's status, a stop).
func (s *Service) poll() time.Duration {
	p := s.minute / 20
	if p > 500*time.Millisecond {
		p = 500 * time.Millisecond
	}
	if p < 10*time.Millisecond {
		p = 10 * time.Millisecond
	}
	return p
}

// run drives a deployment (the task of its lease, named account/id) to its end, phase by phase;
// each step is recorded before the next, so a deployment resumes where it was on another node.
func (s *Service) run(ctx context.Context, name string) error {
	account, id, _ := strings.Cut(name, "/")
	for {
		d, _, err := s.deployment(ctx, account, id)
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == ErrDeploymentDoesNotExist {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if d.done() {
			return nil
		}
		if d.Stop {
			return s.end(ctx, d, "Stopped", "MANUAL_STOP", "The deployment was stopped by a StopDeployment request.")
		}
		if d.Status == "InProgress" {
			if why := s.alarmStop(ctx, d); why != "" {
				return s.end(ctx, d, "Stopped", "ALARM_ACTIVE", why)
			}
		}
		switch {
		case d.Status == "Created":
			_, err = s.change(ctx, account, id, func(d *deployment) error {
				d.Status, d.Started, d.Phase = "InProgress", s.clock.Now().UTC(), phaseBefore
				return nil
			})
		case d.Phase == phaseBefore:
			err = s.lifecycle(ctx, d, phaseBefore, d.Spec.BeforeHook, phaseShift)
		case d.Phase == phaseShift:
			err = s.shift(ctx, d)
		case d.Phase == phaseAfter:
			err = s.lifecycle(ctx, d, phaseAfter, d.Spec.AfterHook, "")
		default:
			return fmt.Errorf("deployment %s: unknown phase %q", id, d.Phase)
		}
		if err != nil {
			return err
		}
	}
}

// lifecycle runs a hook (if there is one) and moves on to next ("": the deployment succeeded);
// a hook that fails or does not report in time fails the deployment.
func (s *Service) lifecycle(ctx context.Context, d *deployment, event, fn, next string) error {
	if fn != "" {
		ok, why, err := s.hook(ctx, d, event, fn)
		if err != nil {
			return err
		}
		if !ok {
			d, _, err = s.deployment(ctx, d.Account, d.ID)
			if err != nil {
				return err
			}
			if d.Stop {
				return nil // run ends it as stopped
			}
			if stop := s.alarmStop(ctx, d); stop != "" {
				return s.end(ctx, d, "Stopped", "ALARM_ACTIVE", stop)
			}
			return s.end(ctx, d, "Failed", "HOOK_EXECUTION_FAILURE", why)
		}
	}
	if next == "" {
		return s.end(ctx, d, "Succeeded", "", "")
	}
	_, err := s.change(ctx, d.Account, d.ID, func(d *deployment) error {
		d.Phase = next
		return nil
	})
	return err
}

// hook invokes a lifecycle hook function once and waits for the status it reports through
// PutLifecycleEventHookExecutionStatus (or its failure, or the hour it has, or a stop).
func (s *Service) hook(ctx context.Context, d *deployment, event, fn string) (bool, string, error) {
	d, err := s.change(ctx, d.Account, d.ID, func(d *deployment) error {
		if d.Hooks[event] == nil {
			d.Hooks[event] = &hookExec{ID: newID(), Function: fn, Status: "Pending", Deadline: s.clock.Now().Add(hookHour * s.minute)}
		}
		return nil
	})
	if err != nil {
		return false, "", err
	}
	h := d.Hooks[event]
	if !h.Invoked {
		payload, _ := json.Marshal(map[string]string{"DeploymentId": d.ID, "LifecycleEventHookExecutionId": h.ID})
		_, fnErr, ierr := s.fns.Invoke(ctx, s.functionARN(d.Account, fn), payload)
		if ctx.Err() != nil {
			return false, "", ctx.Err()
		}
		failed := ""
		switch {
		case ierr != nil:
			failed = fmt.Sprintf("The %s hook function %s could not be invoked: %v", event, fn, ierr)
		case fnErr != "":
			failed = fmt.Sprintf("The %s hook function %s failed (%s).", event, fn, fnErr)
		}
		d, err = s.change(ctx, d.Account, d.ID, func(d *deployment) error {
			h := d.Hooks[event]
			h.Invoked = true
			if failed != "" && h.Status != "Succeeded" {
				h.Status = "Failed"
			} else if h.Status == "Pending" {
				h.Status = "InProgress"
			}
			return nil
		})
		if err != nil {
			return false, "", err
		}
		if failed != "" {
			return false, failed, nil
		}
	}
	for {
		h = d.Hooks[event]
		switch {
		case h.Status == "Succeeded":
			return true, "", nil
		case h.Status == "Failed":
			return false, fmt.Sprintf("The %s hook function %s reported the status Failed (lifecycle event hook execution %s).", event, fn, h.ID), nil
		case d.Stop:
			return false, "", nil
		case !s.clock.Now().Before(h.Deadline):
			return false, fmt.Sprintf("The %s hook function %s did not report a status (PutLifecycleEventHookExecutionStatus) within an hour.", event, fn), nil
		case s.alarmStop(ctx, d) != "":
			return false, "", nil // lifecycle stops the deployment for its alarms
		}
		if err := background.Sleep(ctx, s.clock, s.poll()); err != nil {
			return false, "", err
		}
		if d, _, err = s.deployment(ctx, d.Account, d.ID); err != nil {
			return false, "", err
		}
	}
}

// shift moves the alias's traffic to the target version step by step, each step held for the
// configuration's interval.
func (s *Service) shift(ctx context.Context, d *deployment) error {
	cfg := configs[d.Config]
	steps := cfg.steps()
	for d.Step < len(steps)-1 {
		if wait := d.NextAt.Sub(s.clock.Now()); d.Step >= 0 && wait > 0 {
			if err := background.Sleep(ctx, s.clock, min(wait, s.poll())); err != nil {
				return err
			}
			var err error
			if d, _, err = s.deployment(ctx, d.Account, d.ID); err != nil {
				return err
			}
			if d.Stop || s.alarmStop(ctx, d) != "" {
				return nil // run ends it (stopped, or for its alarms)
			}
			continue
		}
		next := d.Step + 1
		if err := s.route(ctx, d, steps[next]); err != nil {
			return s.end(ctx, d, "Failed", "INVALID_LAMBDA_CONFIGURATION", fmt.Sprintf("The alias %s of %s could not be shifted: %v", d.Spec.Alias, d.Spec.Function, err))
		}
		var err error
		d, err = s.change(ctx, d.Account, d.ID, func(d *deployment) error {
			d.Step = next
			d.NextAt = s.clock.Now().Add(time.Duration(cfg.interval) * s.minute)
			return nil
		})
		if err != nil {
			return err
		}
	}
	_, err := s.change(ctx, d.Account, d.ID, func(d *deployment) error {
		d.Phase = phaseAfter
		return nil
	})
	return err
}

// route gives the target version percent of the alias's traffic (all of it at 100).
func (s *Service) route(ctx context.Context, d *deployment, percent int) error {
	sp := d.Spec
	if percent >= 100 {
		return s.fns.PointAlias(ctx, d.Account, sp.Function, sp.Alias, sp.Target, nil)
	}
	return s.fns.PointAlias(ctx, d.Account, sp.Function, sp.Alias, sp.Current, map[string]float64{sp.Target: float64(percent) / 100})
}

// end finishes a deployment: a failed or stopped one first rolls the alias back to its version.
func (s *Service) end(ctx context.Context, d *deployment, status, code, msg string) error {
	rollback := ""
	if status != "Succeeded" {
		sp := d.Spec
		if err := s.fns.PointAlias(ctx, d.Account, sp.Function, sp.Alias, sp.Current, nil); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rollback = fmt.Sprintf("The alias could not be rolled back: %v", err)
		} else {
			rollback = rollbackNote
		}
	}
	_, err := s.change(ctx, d.Account, d.ID, func(d *deployment) error {
		d.Status, d.ErrorCode, d.ErrorMsg, d.Rollback, d.Completed = status, code, msg, rollback, s.clock.Now().UTC()
		return nil
	})
	return err
}

func (s *Service) functionARN(account, fn string) string {
	if strings.HasPrefix(fn, "arn:") {
		return fn
	}
	return "arn:aws:lambda:" + s.region + ":" + account + ":function:" + fn
}
