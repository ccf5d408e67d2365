// Package secretsmanager is AWS Secrets Manager (API 2017-10-17, AWS JSON 1.1): secrets with
// versions and staging labels, their values encrypted by KMS (alias/aws/secretsmanager unless a
// key is given) before they reach the store, deletion with a recovery window, resource
// policies, tags, and rotation through a rotation function called in AWS's four steps.
package secretsmanager

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Clock is the service's time.
type Clock = background.Clock

// Store is what Secrets Manager keeps: its secrets (and rotation schedule) as secret records.
type Store interface {
	store.Secrets
}

// Keys is the KMS that encrypts secret values (kms.Service satisfies it).
type Keys interface {
	EncryptFor(ctx context.Context, account, keyID string, plaintext []byte, ec map[string]string) (blob []byte, keyARN string, err error)
	DecryptFor(ctx context.Context, account string, blob []byte, ec map[string]string) ([]byte, error)
}

// Invoker calls a rotation function synchronously with a JSON payload (Lambda's Invoke, which
// another part of gureum provides); an error, or a function error, fails the step.
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, payload []byte) error
}

// Deps is what Secrets Manager is built with.
type Deps struct {
	service.Env
	Store   Store
	Keys    Keys
	Invoker Invoker // nil: RotateSecret with a rotation function answers InvalidRequestException
}

// Service serves Secrets Manager.
type Service struct {
	store   Store
	keys    Keys
	invoker Invoker
	region  string
	clock   Clock
}

// rotationSweep is how often due rotations are looked for.
const rotationSweep = time.Minute

// New returns the Secrets Manager service; scheduled rotation runs on d.Runner when there is one.
func New(d Deps) *Service {
	d.Env = d.Env.For("secretsmanager")
	s := &Service{store: d.Store, keys: d.Keys, invoker: d.Invoker, region: d.Region, clock: d.Clock}
	if d.Runner != nil {
		d.Runner.Every("secretsmanager.rotation", rotationSweep, s.RotateDue)
	}
	return s
}

// idInput is an input naming a secret.
type idInput interface{ secretID() string }

// Describe returns Secrets Manager's operation table: every operation of the 2017-10-17 API.
func (s *Service) Describe() *service.Service {
	resource := func(ctx context.Context, in any) string {
		if i, ok := in.(idInput); ok && strings.HasPrefix(i.secretID(), "arn:") {
			return i.secretID()
		} else if ok && i.secretID() != "" {
			return "arn:aws:secretsmanager:" + s.region + ":" + callerAccount(ctx) + ":secret:" + i.secretID() + "-??????"
		}
		return "*"
	}
	op := func(name string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "secretsmanager:" + name, Handler: h, Resource: resource}
	}
	return (&service.Service{
		Name:            "secretsmanager",
		SigningName:     "secretsmanager",
		Protocol:        service.JSON11,
		APIVersion:      "2017-10-17",
		TargetPrefix:    "secretsmanager",
		ErrorTypePrefix: "com.amazonaws.secretsmanager#",
		Operations: []service.Operation{
			op("BatchGetSecretValue", service.Func(s.BatchGetSecretValue)),
			op("CancelRotateSecret", service.Func(s.CancelRotateSecret)),
			op("CreateSecret", service.Func(s.CreateSecret)),
			op("DeleteResourcePolicy", service.Func(s.DeleteResourcePolicy)),
			op("DeleteSecret", service.Func(s.DeleteSecret)),
			op("DescribeSecret", service.Func(s.DescribeSecret)),
			op("GetRandomPassword", service.Func(s.GetRandomPassword)),
			op("GetResourcePolicy", service.Func(s.GetResourcePolicy)),
			op("GetSecretValue", service.Func(s.GetSecretValue)),
			op("ListSecretVersionIds", service.Func(s.ListSecretVersionIds)),
			op("ListSecrets", service.Func(s.ListSecrets)),
			op("PutResourcePolicy", service.Func(s.PutResourcePolicy)),
			op("PutSecretValue", service.Func(s.PutSecretValue)),
			op("RemoveRegionsFromReplication", nil),
			op("ReplicateSecretToRegions", nil),
			op("RestoreSecret", service.Func(s.RestoreSecret)),
			op("RotateSecret", service.Func(s.RotateSecret)),
			op("StopReplicationToReplica", nil),
			op("TagResource", service.Func(s.TagResource)),
			op("UntagResource", service.Func(s.UntagResource)),
			op("UpdateSecret", service.Func(s.UpdateSecret)),
			op("UpdateSecretVersionStage", service.Func(s.UpdateSecretVersionStage)),
			op("ValidateResourcePolicy", service.Func(s.ValidateResourcePolicy)),
		},
	}).Index()
}

func callerAccount(ctx context.Context) string {
	if a, ok := ctx.Value(accountKey{}).(string); ok {
		return a
	}
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

// accountKey carries the account a background call (a scheduled rotation) acts for.
type accountKey struct{}

// secret is a loaded secret.
type secret struct {
	account string
	rev     int64
	doc     secretDoc
}

const suffixChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newARN is a secret's ARN: its name and a random 6-character suffix.
func (s *Service) newARN(account, name string) string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = suffixChars[int(b[i])%len(suffixChars)]
	}
	return "arn:aws:secretsmanager:" + s.region + ":" + account + ":secret:" + name + "-" + string(b)
}

// notFound is AWS's answer for a secret it cannot find.
func notFound() error {
	return ErrResourceNotFound.Errorf("Secrets Manager can't find the specified secret.")
}

// nameOf turns a SecretId (a name, a full ARN or an ARN without its suffix) into the account
// and name of the secret; full reports an ARN that must match the secret's own.
func (s *Service) nameOf(ctx context.Context, id string) (account, name string, full bool) {
	account = callerAccount(ctx)
	if !strings.HasPrefix(id, "arn:") {
		return account, id, false
	}
	parts := strings.SplitN(id, ":", 7)
	if len(parts) != 7 || parts[5] != "secret" {
		return account, id, false
	}
	account, name = parts[4], parts[6]
	if i := strings.LastIndexByte(name, '-'); i >= 0 && len(name)-i == 7 {
		return account, name[:i], true
	}
	return account, name, false
}

// load reads a secret by SecretId. A secret whose recovery window has ended is deleted now.
func (s *Service) load(ctx context.Context, id string) (*secret, error) {
	if id == "" {
		return nil, ErrInvalidParameter.Errorf("You must provide a SecretId.")
	}
	account, name, full := s.nameOf(ctx, id)
	rec, err := s.store.SecretRecord(ctx, store.KindSecret, account, name)
	if errors.Is(err, store.ErrNotFound) && full { // a name that itself ends in -xxxxxx
		name, full = id[strings.LastIndex(id, ":secret:")+8:], false
		rec, err = s.store.SecretRecord(ctx, store.KindSecret, account, name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	x := &secret{account: account, rev: rec.Rev}
	if err := json.Unmarshal(rec.Doc, &x.doc); err != nil {
		return nil, err
	}
	if full && x.doc.ARN != id {
		return nil, notFound()
	}
	if !x.doc.DeleteAt.IsZero() && !s.clock.Now().Before(x.doc.DeleteAt) {
		s.purge(ctx, x)
		return nil, notFound()
	}
	return x, nil
}

// live refuses a secret pending deletion.
func live(x *secret) error {
	if !x.doc.Deleted.IsZero() {
		return ErrInvalidRequest.Errorf("You can't perform this operation on the secret because it was marked for deletion.")
	}
	return nil
}

// save writes a secret, creating it when rev is 0.
func (s *Service) save(ctx context.Context, x *secret) error {
	doc, _ := json.Marshal(x.doc)
	rec := store.SecretRecord{Kind: store.KindSecret, Account: x.account, Name: x.doc.Name, Rev: x.rev, Doc: doc, Updated: s.clock.Now()}
	if x.rev == 0 {
		err := s.store.CreateSecretRecord(ctx, rec)
		if errors.Is(err, store.ErrExists) {
			return ErrResourceExists.Errorf("The operation failed because the secret %s already exists.", x.doc.Name)
		}
		if err == nil {
			x.rev = 1
		}
		return err
	}
	err := s.store.UpdateSecretRecord(ctx, rec)
	if errors.Is(err, store.ErrConditionFailed) {
		return ErrInvalidRequest.Errorf("The secret was changed by a concurrent request; retry.")
	}
	if err == nil {
		x.rev++
	}
	return err
}

// purge deletes a secret and its rotation schedule.
func (s *Service) purge(ctx context.Context, x *secret) error {
	s.store.DeleteSecretRecord(ctx, kindRotation, "", x.account+"/"+x.doc.Name)
	return s.store.DeleteSecretRecord(ctx, store.KindSecret, x.account, x.doc.Name)
}
