package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/kms"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// rotator is a rotation function as AWS's template writes one, calling the service back: it
// stores a new AWSPENDING version at createSecret and moves AWSCURRENT to it at finishSecret.
// (Lambda is another branch's; when it lands a real function replaces this.)
type rotator struct {
	s     *Service
	ctx   context.Context
	steps []string
}

func (r *rotator) Invoke(_ context.Context, fn string, payload []byte) error {
	var ev rotationEvent
	json.Unmarshal(payload, &ev)
	r.steps = append(r.steps, ev.Step)
	switch ev.Step {
	case "createSecret":
		v := "rotated-" + ev.ClientRequestToken[:8]
		_, err := r.s.PutSecretValue(r.ctx, &PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: &ev.ClientRequestToken, SecretString: &v, VersionStages: []string{stagePending}})
		return err
	case "finishSecret":
		cur, err := r.s.GetSecretValue(r.ctx, &GetSecretValueInput{SecretId: ev.SecretId})
		if err != nil {
			return err
		}
		_, err = r.s.UpdateSecretVersionStage(r.ctx, &UpdateSecretVersionStageInput{SecretId: ev.SecretId, VersionStage: stageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: cur.VersionId})
		return err
	}
	return nil
}

// newClocked returns the service with KMS over a real SQLite store, a fake clock, the rotator
// as its Invoker, and a context carrying the root principal.
func newClocked(t *testing.T) (*Service, *background.FakeClock, context.Context, *rotator) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	env := service.Env{Region: "us-east-1", Clock: clock}
	keys := kms.New(kms.Deps{Env: env, Store: st, Master: kms.FileMasterKey(filepath.Join(dir, "master"))})
	r := &rotator{}
	s := New(Deps{Env: env, Store: st, Keys: keys, Invoker: r})
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIA")})
	r.s, r.ctx = s, ctx
	return s, clock, ctx, r
}

func TestRecoveryWindowEnds(t *testing.T) {
	s, clock, ctx, _ := newClocked(t)
	v := "x"
	if _, err := s.CreateSecret(ctx, &CreateSecretInput{Name: "gone", SecretString: &v}); err != nil {
		t.Fatal(err)
	}
	days := int64(7)
	if _, err := s.DeleteSecret(ctx, &DeleteSecretInput{SecretId: "gone", RecoveryWindowInDays: &days}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSecret(ctx, &CreateSecretInput{Name: "gone", SecretString: &v}); !isCode(err, ErrInvalidRequest) {
		t.Errorf("CreateSecret(name pending deletion) = %v; want InvalidRequestException", err)
	}
	clock.Advance(7 * 24 * time.Hour)
	if _, err := s.DescribeSecret(ctx, &IDInput{SecretId: "gone"}); !isCode(err, ErrResourceNotFound) {
		t.Errorf("DescribeSecret after the window = %v; want ResourceNotFoundException", err)
	}
	if _, err := s.CreateSecret(ctx, &CreateSecretInput{Name: "gone", SecretString: &v}); err != nil {
		t.Errorf("CreateSecret(name freed) = %v", err)
	}
}

func isCode(err error, c *awserr.Code) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == c
}

func TestScheduledRotation(t *testing.T) {
	s, clock, ctx, r := newClocked(t)
	v := "original"
	if _, err := s.CreateSecret(ctx, &CreateSecretInput{Name: "db", SecretString: &v}); err != nil {
		t.Fatal(err)
	}
	rate := "rate(10 days)"
	out, err := s.RotateSecret(ctx, &RotateSecretInput{SecretId: "db", RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:rot", RotationRules: &RotationRules{ScheduleExpression: &rate}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"createSecret", "setSecret", "testSecret", "finishSecret"}; len(r.steps) != 4 || r.steps[0] != want[0] || r.steps[3] != want[3] {
		t.Fatalf("steps = %v; want %v", r.steps, want)
	}
	cur, _ := s.GetSecretValue(ctx, &GetSecretValueInput{SecretId: "db"})
	if cur.VersionId != out.VersionId || *cur.SecretString == "original" {
		t.Errorf("AWSCURRENT after RotateSecret = %+v; want the rotated version %s", cur, out.VersionId)
	}
	prev, _ := s.GetSecretValue(ctx, &GetSecretValueInput{SecretId: "db", VersionStage: stagePrevious})
	if *prev.SecretString != "original" {
		t.Errorf("AWSPREVIOUS = %s; want original", *prev.SecretString)
	}
	clock.Advance(9 * 24 * time.Hour)
	if err := s.RotateDue(context.Background()); err != nil || len(r.steps) != 4 {
		t.Fatalf("RotateDue before the date: %v, %d steps", err, len(r.steps))
	}
	clock.Advance(24 * time.Hour)
	if err := s.RotateDue(context.Background()); err != nil || len(r.steps) != 8 {
		t.Fatalf("RotateDue after 10 days: %v, %d steps; want a second rotation", err, len(r.steps))
	}
	d, _ := s.DescribeSecret(ctx, &IDInput{SecretId: "db"})
	if !d.RotationEnabled || !d.LastRotatedDate.Equal(clock.Now()) || !d.NextRotationDate.Equal(clock.Now().Add(10*24*time.Hour)) {
		t.Errorf("DescribeSecret after scheduled rotation = %+v", d)
	}
	if _, err := s.CancelRotateSecret(ctx, &IDInput{SecretId: "db"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(20 * 24 * time.Hour)
	if s.RotateDue(context.Background()); len(r.steps) != 8 {
		t.Errorf("a cancelled rotation ran: %d steps", len(r.steps))
	}
}
