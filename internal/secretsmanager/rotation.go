package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/store"
)

// kindRotation is the rotation schedule: one record per secret with rotation on, in the
// account-less namespace and named "<account>/<secret name>", so the sweeper finds every
// account's due rotations with one listing.
const kindRotation = "secretsmanager.rotation"

// schedule is a rotation schedule record.
type schedule struct{ Next time.Time }

// RotateSecretInput is RotateSecret's input.
type RotateSecretInput struct {
	SecretId           string
	ClientRequestToken *string
	RotationLambdaARN  string
	RotationRules      *RotationRules
	RotateImmediately  *bool
}

func (i *RotateSecretInput) secretID() string { return i.SecretId }

var ratePattern = regexp.MustCompile(`^rate\((\d+) (hours?|days?)\)$`)

// interval reads rotation rules: AutomaticallyAfterDays (1–1000) or a rate(N hours|days)
// ScheduleExpression (4 hours to 1000 days). cron() expressions are refused for now.
func interval(r *RotationRules) (time.Duration, error) {
	switch {
	case r == nil:
		return 0, ErrInvalidParameter.Errorf("You must specify RotationRules to turn on rotation.")
	case r.AutomaticallyAfterDays != nil && r.ScheduleExpression != nil:
		return 0, ErrInvalidParameter.Errorf("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
	case r.AutomaticallyAfterDays != nil:
		if *r.AutomaticallyAfterDays < 1 || *r.AutomaticallyAfterDays > 1000 {
			return 0, ErrInvalidParameter.Errorf("AutomaticallyAfterDays must be between 1 and 1000.")
		}
		return time.Duration(*r.AutomaticallyAfterDays) * 24 * time.Hour, nil
	case r.ScheduleExpression != nil:
		m := ratePattern.FindStringSubmatch(*r.ScheduleExpression)
		if m == nil {
			return 0, ErrInvalidParameter.Errorf("The schedule expression %s is not supported: use rate(N hours) or rate(N days).", *r.ScheduleExpression)
		}
		n, _ := strconv.Atoi(m[1])
		d := time.Duration(n) * time.Hour
		if m[2][0] == 'd' {
			d *= 24
		}
		if d < 4*time.Hour || d > 1000*24*time.Hour {
			return 0, ErrInvalidParameter.Errorf("The rotation schedule must be between 4 hours and 1000 days.")
		}
		return d, nil
	}
	return 0, ErrInvalidParameter.Errorf("You must specify AutomaticallyAfterDays or ScheduleExpression.")
}

// RotateSecret turns rotation on (or changes it) and, unless RotateImmediately is false,
// rotates now: the rotation function is called with createSecret, setSecret, testSecret and
// finishSecret, as on AWS.
func (s *Service) RotateSecret(ctx context.Context, in *RotateSecretInput) (*SecretOutput, error) {
	token, err := checkToken(in.ClientRequestToken)
	if err != nil {
		return nil, err
	}
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := live(x); err != nil {
		return nil, err
	}
	if in.RotationLambdaARN != "" {
		x.doc.RotationLambda = in.RotationLambdaARN
	}
	if x.doc.RotationLambda == "" {
		return nil, ErrInvalidRequest.Errorf("No Lambda rotation function ARN is associated with this secret.")
	}
	if in.RotationRules != nil {
		x.doc.Rules = in.RotationRules
	}
	every, err := interval(x.doc.Rules)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	x.doc.RotationEnabled, x.doc.NextRotation = true, now.Add(every)
	if err := s.save(ctx, x); err != nil {
		return nil, err
	}
	if err := s.setSchedule(ctx, x); err != nil {
		return nil, err
	}
	out := &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}
	if in.RotateImmediately == nil || *in.RotateImmediately {
		if err := s.rotate(ctx, x, token); err != nil {
			return nil, err
		}
		out.VersionId = token
	}
	return out, nil
}

// setSchedule records when x next rotates, for the sweeper.
func (s *Service) setSchedule(ctx context.Context, x *secret) error {
	name := x.account + "/" + x.doc.Name
	doc, _ := json.Marshal(schedule{Next: x.doc.NextRotation})
	rec := store.SecretRecord{Kind: kindRotation, Name: name, Doc: doc, Updated: s.clock.Now()}
	old, err := s.store.SecretRecord(ctx, kindRotation, "", name)
	if errors.Is(err, store.ErrNotFound) {
		return s.store.CreateSecretRecord(ctx, rec)
	}
	if err != nil {
		return err
	}
	rec.Rev = old.Rev
	return s.store.UpdateSecretRecord(ctx, rec)
}

// rotationEvent is what a rotation function receives, as AWS sends it.
type rotationEvent struct {
	Step               string
	SecretId           string
	ClientRequestToken string
	RotationToken      string
}

// rotate calls the rotation function's four steps for a new version token. A pending version
// of an unfinished rotation is rotated again under its own token.
func (s *Service) rotate(ctx context.Context, x *secret, token string) error {
	if s.invoker == nil {
		return ErrInvalidRequest.Errorf("Rotation functions cannot be called: this gureum serves no Lambda.")
	}
	if p := x.staged(stagePending); p >= 0 && !slices.Contains(x.doc.Versions[p].Stages, stageCurrent) {
		token = x.doc.Versions[p].VersionId
	}
	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		ev, _ := json.Marshal(rotationEvent{Step: step, SecretId: x.doc.ARN, ClientRequestToken: token, RotationToken: uuid.NewString()})
		if err := s.invoker.Invoke(ctx, x.doc.RotationLambda, ev); err != nil {
			return ErrInvalidRequest.Errorf("The rotation function failed at step %s: %v", step, err)
		}
	}
	return s.finish(ctx, x.doc.ARN, token)
}

// finish records a rotation whose function moved AWSCURRENT to the new version.
func (s *Service) finish(ctx context.Context, arn, token string) error {
	x, err := s.load(ctx, arn)
	if err != nil {
		return err
	}
	i := x.find(token)
	if i < 0 || !slices.Contains(x.doc.Versions[i].Stages, stageCurrent) {
		return ErrInvalidRequest.Errorf("The rotation function did not make version %s AWSCURRENT.", token)
	}
	x.doc.Versions[i].Stages = slices.DeleteFunc(x.doc.Versions[i].Stages, func(s string) bool { return s == stagePending })
	x.doc.LastRotated = s.clock.Now()
	return s.save(ctx, x)
}

// CancelRotateSecret turns rotation off and drops an unfinished rotation's AWSPENDING label.
func (s *Service) CancelRotateSecret(ctx context.Context, in *IDInput) (*SecretOutput, error) {
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := live(x); err != nil {
		return nil, err
	}
	out := &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}
	if p := x.staged(stagePending); p >= 0 {
		out.VersionId = x.doc.Versions[p].VersionId
		x.doc.Versions[p].Stages = slices.DeleteFunc(x.doc.Versions[p].Stages, func(s string) bool { return s == stagePending })
	}
	x.doc.RotationEnabled, x.doc.NextRotation = false, time.Time{}
	s.store.DeleteSecretRecord(ctx, kindRotation, "", x.account+"/"+x.doc.Name)
	return out, s.save(ctx, x)
}

// RotateDue rotates every secret whose rotation date has passed (the periodic job on
// Env.Runner; tests call it after moving the clock).
func (s *Service) RotateDue(ctx context.Context) error {
	recs, err := s.store.ListSecretRecords(ctx, kindRotation, "", "", "", 0)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range recs {
		var sc schedule
		if json.Unmarshal(r.Doc, &sc) != nil || s.clock.Now().Before(sc.Next) {
			continue
		}
		errs = append(errs, s.rotateScheduled(ctx, r.Name))
	}
	return errors.Join(errs...)
}

// rotateScheduled rotates one secret named "<account>/<name>" and sets its next date.
func (s *Service) rotateScheduled(ctx context.Context, key string) error {
	i := slices.Index([]byte(key), '/')
	if i < 0 {
		return nil
	}
	ctx = context.WithValue(ctx, accountKey{}, key[:i])
	x, err := s.load(ctx, key[i+1:])
	if err != nil {
		return err
	}
	every, err := interval(x.doc.Rules)
	if err != nil || !x.doc.RotationEnabled {
		return err
	}
	x.doc.NextRotation = s.clock.Now().Add(every)
	if err := s.save(ctx, x); err != nil {
		return err
	}
	if err := s.setSchedule(ctx, x); err != nil {
		return err
	}
	return s.rotate(ctx, x, uuid.NewString())
}
