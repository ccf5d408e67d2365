package secretsmanager

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/gureum/gureum/internal/awserr"
)

const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
	maxValue      = 65536
	maxVersions   = 100
	defaultKey    = "alias/aws/secretsmanager"
)

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@\-]{1,512}$`)

// value is a secret value as given: a string or binary, never both.
type value struct {
	str    *string
	binary []byte
}

func (v value) empty() bool { return v.str == nil && v.binary == nil }

func (v value) bytes() []byte {
	if v.str != nil {
		return []byte(*v.str)
	}
	return v.binary
}

// check applies the rules for a value: one of SecretString and SecretBinary, at most 64 KB.
func (v value) check() error {
	if v.str != nil && v.binary != nil {
		return ErrInvalidParameter.Errorf("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if len(v.bytes()) > maxValue {
		return ErrInvalidParameter.Errorf("The secret value exceeds the maximum size of 65536 bytes.")
	}
	return nil
}

// checkToken applies ClientRequestToken's length (32–64), generating one when absent.
func checkToken(t *string) (string, error) {
	if t == nil || *t == "" {
		return uuid.NewString(), nil
	}
	if len(*t) < 32 || len(*t) > 64 {
		return "", ErrInvalidParameter.Errorf("ClientRequestToken must be between 32 and 64 characters.")
	}
	return *t, nil
}

// encryptionContext binds a version's ciphertext to its secret and version, as AWS does.
func encryptionContext(x *secret, versionID string) map[string]string {
	return map[string]string{"SecretARN": x.doc.ARN, "SecretVersionId": versionID}
}

// addVersion stores a new version of x with the stages given (AWSCURRENT by default), moving
// each stage from wherever it was; AWSCURRENT leaving a version makes it AWSPREVIOUS. A token
// that names an existing version with the same value changes nothing; with another value it is
// ResourceExistsException.
func (s *Service) addVersion(ctx context.Context, x *secret, token string, v value, stages []string) (bool, error) {
	if i := x.find(token); i >= 0 {
		old, err := s.decrypt(ctx, x, &x.doc.Versions[i])
		if err != nil {
			return false, err
		}
		if !bytes.Equal(old, v.bytes()) || x.doc.Versions[i].Binary != (v.binary != nil) {
			return false, ErrResourceExists.Errorf("You can't modify an existing version, you can only create a new version.")
		}
		return false, nil
	}
	keyID := x.doc.KmsKeyId
	if keyID == "" {
		keyID = defaultKey
	}
	blob, _, err := s.keys.EncryptFor(ctx, x.account, keyID, v.bytes(), encryptionContext(x, token))
	if err != nil {
		return false, kmsError(err)
	}
	now := s.clock.Now()
	x.doc.Versions = append(x.doc.Versions, secretVersion{VersionId: token, Cipher: blob, Binary: v.binary != nil, KmsKeyId: keyID, Created: now})
	if len(stages) == 0 {
		stages = []string{stageCurrent}
	}
	for _, st := range stages {
		x.move(st, token)
	}
	x.doc.Changed = now
	x.trim()
	return true, nil
}

// find returns the index of a version, or -1.
func (x *secret) find(id string) int {
	return slices.IndexFunc(x.doc.Versions, func(v secretVersion) bool { return v.VersionId == id })
}

// staged returns the index of the version holding a stage, or -1.
func (x *secret) staged(stage string) int {
	return slices.IndexFunc(x.doc.Versions, func(v secretVersion) bool { return slices.Contains(v.Stages, stage) })
}

// move attaches stage to version id, taking it from the version that had it; AWSCURRENT
// leaving a version puts AWSPREVIOUS there.
func (x *secret) move(stage, id string) {
	from := x.staged(stage)
	to := x.find(id)
	if from == to {
		return
	}
	if from >= 0 {
		x.doc.Versions[from].Stages = slices.DeleteFunc(x.doc.Versions[from].Stages, func(s string) bool { return s == stage })
		if stage == stageCurrent {
			x.move(stagePrevious, x.doc.Versions[from].VersionId)
		}
	}
	if to >= 0 {
		x.doc.Versions[to].Stages = append(x.doc.Versions[to].Stages, stage)
	}
}

// trim drops the oldest versions without stages past 100.
func (x *secret) trim() {
	for len(x.doc.Versions) > maxVersions {
		i := slices.IndexFunc(x.doc.Versions, func(v secretVersion) bool { return len(v.Stages) == 0 })
		if i < 0 {
			return
		}
		x.doc.Versions = slices.Delete(x.doc.Versions, i, i+1)
	}
}

// decrypt opens a version's value.
func (s *Service) decrypt(ctx context.Context, x *secret, v *secretVersion) ([]byte, error) {
	plain, err := s.keys.DecryptFor(ctx, x.account, v.Cipher, encryptionContext(x, v.VersionId))
	if kmsDenied(err) {
		return nil, awserr.New(awserr.AccessDenied, "Access to KMS is not allowed")
	}
	if err != nil {
		return nil, ErrDecryptionFailure.Errorf("Secrets Manager can't decrypt the protected secret text using the provided KMS key.")
	}
	return plain, nil
}

// kmsError is a KMS failure as Secrets Manager reports it.
func kmsError(err error) error {
	if kmsDenied(err) {
		return awserr.New(awserr.AccessDenied, "Access to KMS is not allowed")
	}
	return ErrEncryptionFailure.Errorf("Secrets Manager can't encrypt the protected secret text using the provided KMS key: %v", err)
}

// CreateSecretInput is CreateSecret's input.
type CreateSecretInput struct {
	Name                        string
	ClientRequestToken          *string
	Description                 string
	KmsKeyId                    string
	SecretBinary                []byte
	SecretString                *string
	Tags                        []Tag
	AddReplicaRegions           []any
	ForceOverwriteReplicaSecret bool
}

// SecretOutput answers the operations that return a secret's ARN, name and a version.
type SecretOutput struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

// CreateSecret creates a secret, with a first version when a value is given. Called again with
// the same token and value it answers the same.
func (s *Service) CreateSecret(ctx context.Context, in *CreateSecretInput) (*SecretOutput, error) {
	if !namePattern.MatchString(in.Name) {
		return nil, ErrValidation.Errorf("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	v := value{str: in.SecretString, binary: in.SecretBinary}
	token, err := checkToken(in.ClientRequestToken)
	if err == nil {
		err = v.check()
	}
	if err == nil {
		err = checkTags(in.Tags)
	}
	if err != nil {
		return nil, err
	}
	if len(in.AddReplicaRegions) > 0 {
		return nil, ErrInvalidRequest.Errorf("Replication to other regions is not supported.")
	}
	if x, err := s.load(ctx, in.Name); err == nil {
		return s.createAgain(ctx, x, token, v)
	}
	now := s.clock.Now()
	account := callerAccount(ctx)
	x := &secret{account: account, doc: secretDoc{Name: in.Name, ARN: s.newARN(account, in.Name), Description: in.Description,
		KmsKeyId: in.KmsKeyId, Created: now, Changed: now, Tags: in.Tags}}
	out := &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}
	if !v.empty() {
		if _, err := s.addVersion(ctx, x, token, v, nil); err != nil {
			return nil, err
		}
		out.VersionId = token
	}
	return out, s.save(ctx, x)
}

// createAgain answers a CreateSecret for a name that exists: the same answer for a retry with
// its token and value, else ResourceExistsException.
func (s *Service) createAgain(ctx context.Context, x *secret, token string, v value) (*SecretOutput, error) {
	if !x.doc.Deleted.IsZero() {
		return nil, ErrInvalidRequest.Errorf("You can't create this secret because a secret with this name is already scheduled for deletion.")
	}
	if i := x.find(token); i >= 0 && !v.empty() {
		if changed, err := s.addVersion(ctx, x, token, v, nil); err != nil || changed {
			return nil, ErrResourceExists.Errorf("The operation failed because the secret %s already exists.", x.doc.Name)
		}
		return &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name, VersionId: token}, nil
	}
	return nil, ErrResourceExists.Errorf("The operation failed because the secret %s already exists.", x.doc.Name)
}

// GetSecretValueInput is GetSecretValue's input.
type GetSecretValueInput struct {
	SecretId     string
	VersionId    string
	VersionStage string
}

func (i *GetSecretValueInput) secretID() string { return i.SecretId }

// GetSecretValueOutput is GetSecretValue's answer.
type GetSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	SecretBinary  []byte  `json:",omitempty"`
	SecretString  *string `json:",omitempty"`
	VersionStages []string
	CreatedDate   *Time
}

// GetSecretValue returns a version's value: AWSCURRENT's, or the one a VersionId or
// VersionStage names.
func (s *Service) GetSecretValue(ctx context.Context, in *GetSecretValueInput) (*GetSecretValueOutput, error) {
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	out, err := s.valueOf(ctx, x, in.VersionId, in.VersionStage)
	if err == nil {
		s.accessed(ctx, x)
	}
	return out, err
}

// accessed records the day a secret was last read (LastAccessedDate is a date, as on AWS), so
// a read writes at most once a day. It is bookkeeping: a failed write does not fail the read.
func (s *Service) accessed(ctx context.Context, x *secret) {
	day := s.clock.Now().UTC().Truncate(24 * time.Hour)
	if x.doc.Accessed.Equal(day) {
		return
	}
	x.doc.Accessed = day
	s.save(ctx, x)
}

// valueOf decrypts the version a request names.
func (s *Service) valueOf(ctx context.Context, x *secret, versionID, stage string) (*GetSecretValueOutput, error) {
	if err := live(x); err != nil {
		return nil, err
	}
	i := -1
	switch {
	case versionID != "":
		i = x.find(versionID)
		if i >= 0 && stage != "" && !slices.Contains(x.doc.Versions[i].Stages, stage) {
			return nil, ErrInvalidRequest.Errorf("You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		if stage == "" {
			stage = stageCurrent
		}
		i = x.staged(stage)
	}
	if i < 0 {
		if versionID != "" {
			return nil, ErrResourceNotFound.Errorf("Secrets Manager can't find the specified secret value for VersionId: %s", versionID)
		}
		return nil, ErrResourceNotFound.Errorf("Secrets Manager can't find the specified secret value for staging label: %s", stage)
	}
	v := &x.doc.Versions[i]
	plain, err := s.decrypt(ctx, x, v)
	if err != nil {
		return nil, err
	}
	out := &GetSecretValueOutput{ARN: x.doc.ARN, Name: x.doc.Name, VersionId: v.VersionId, VersionStages: v.Stages, CreatedDate: at(v.Created)}
	if v.Binary {
		out.SecretBinary = plain
	} else {
		str := string(plain)
		out.SecretString = &str
	}
	return out, nil
}

// PutSecretValueInput is PutSecretValue's input.
type PutSecretValueInput struct {
	SecretId           string
	ClientRequestToken *string
	SecretBinary       []byte
	SecretString       *string
	VersionStages      []string
	RotationToken      string
}

func (i *PutSecretValueInput) secretID() string { return i.SecretId }

// PutSecretValueOutput is PutSecretValue's answer.
type PutSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

// PutSecretValue adds a version (AWSCURRENT unless other stages are given).
func (s *Service) PutSecretValue(ctx context.Context, in *PutSecretValueInput) (*PutSecretValueOutput, error) {
	v := value{str: in.SecretString, binary: in.SecretBinary}
	token, err := checkToken(in.ClientRequestToken)
	if err == nil {
		err = v.check()
	}
	if err == nil && v.empty() {
		err = ErrInvalidParameter.Errorf("You must provide either SecretString or SecretBinary.")
	}
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
	changed, err := s.addVersion(ctx, x, token, v, in.VersionStages)
	if err != nil {
		return nil, err
	}
	if changed {
		if err := s.save(ctx, x); err != nil {
			return nil, err
		}
	}
	return &PutSecretValueOutput{ARN: x.doc.ARN, Name: x.doc.Name, VersionId: token, VersionStages: x.doc.Versions[x.find(token)].Stages}, nil
}

// UpdateSecretInput is UpdateSecret's input.
type UpdateSecretInput struct {
	SecretId           string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretBinary       []byte
	SecretString       *string
}

func (i *UpdateSecretInput) secretID() string { return i.SecretId }

// UpdateSecret changes a secret's description or key and, with a value, adds an AWSCURRENT
// version.
func (s *Service) UpdateSecret(ctx context.Context, in *UpdateSecretInput) (*SecretOutput, error) {
	v := value{str: in.SecretString, binary: in.SecretBinary}
	token, err := checkToken(in.ClientRequestToken)
	if err == nil {
		err = v.check()
	}
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
	if in.Description != nil {
		x.doc.Description = *in.Description
	}
	if in.KmsKeyId != nil {
		x.doc.KmsKeyId = *in.KmsKeyId
	}
	out := &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}
	if !v.empty() {
		if _, err := s.addVersion(ctx, x, token, v, nil); err != nil {
			return nil, err
		}
		out.VersionId = token
	}
	x.doc.Changed = s.clock.Now()
	return out, s.save(ctx, x)
}

// kmsDenied reports KMS refusing the caller the key.
func kmsDenied(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Kind == awserr.AccessDenied
}
