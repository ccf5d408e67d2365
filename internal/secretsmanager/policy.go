package secretsmanager

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
)

// apiError is one failed secret of a batch.
func apiError(id string, err error) APIErrorType {
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code != nil {
		return APIErrorType{SecretId: id, ErrorCode: ae.Code.Name, Message: ae.Message}
	}
	return APIErrorType{SecretId: id, ErrorCode: "InternalServiceError", Message: "An error occurred on the server side."}
}

// PolicyInput is Get/Put/Delete/ValidateResourcePolicy's input.
type PolicyInput struct {
	SecretId          string
	ResourcePolicy    string
	BlockPublicPolicy *bool
}

func (i *PolicyInput) secretID() string { return i.SecretId }

// PolicyOutput is GetResourcePolicy's answer (and Put/Delete's, without the policy).
type PolicyOutput struct {
	ARN            string `json:",omitempty"`
	Name           string `json:",omitempty"`
	ResourcePolicy string `json:",omitempty"`
}

// checkPolicy accepts a JSON object of at most 20 KB.
func checkPolicy(p string) error {
	var v map[string]any
	if p == "" || len(p) > 20480 || json.Unmarshal([]byte(p), &v) != nil {
		return ErrMalformedPolicy.Errorf("The policy document is not valid JSON.")
	}
	return nil
}

// GetResourcePolicy returns a secret's resource policy.
func (s *Service) GetResourcePolicy(ctx context.Context, in *PolicyInput) (*PolicyOutput, error) {
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{ARN: x.doc.ARN, Name: x.doc.Name, ResourcePolicy: x.doc.Policy}, nil
}

// PutResourcePolicy sets a secret's resource policy (stored; evaluated once identity
// enforcement evaluates resource policies).
func (s *Service) PutResourcePolicy(ctx context.Context, in *PolicyInput) (*PolicyOutput, error) {
	if err := checkPolicy(in.ResourcePolicy); err != nil {
		return nil, err
	}
	return s.setPolicy(ctx, in.SecretId, in.ResourcePolicy)
}

// DeleteResourcePolicy removes a secret's resource policy.
func (s *Service) DeleteResourcePolicy(ctx context.Context, in *PolicyInput) (*PolicyOutput, error) {
	return s.setPolicy(ctx, in.SecretId, "")
}

func (s *Service) setPolicy(ctx context.Context, id, policy string) (*PolicyOutput, error) {
	x, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := live(x); err != nil {
		return nil, err
	}
	x.doc.Policy = policy
	return &PolicyOutput{ARN: x.doc.ARN, Name: x.doc.Name}, s.save(ctx, x)
}

// ValidateResourcePolicyOutput is ValidateResourcePolicy's answer.
type ValidateResourcePolicyOutput struct {
	PolicyValidationPassed bool
	ValidationErrors       []any
}

// ValidateResourcePolicy checks that a policy is a JSON document.
func (s *Service) ValidateResourcePolicy(ctx context.Context, in *PolicyInput) (*ValidateResourcePolicyOutput, error) {
	if err := checkPolicy(in.ResourcePolicy); err != nil {
		return nil, err
	}
	if in.SecretId != "" {
		if _, err := s.load(ctx, in.SecretId); err != nil {
			return nil, err
		}
	}
	return &ValidateResourcePolicyOutput{PolicyValidationPassed: true, ValidationErrors: []any{}}, nil
}

// TagInput is TagResource's and UntagResource's input.
type TagInput struct {
	SecretId string
	Tags     []Tag
	TagKeys  []string
}

func (i *TagInput) secretID() string { return i.SecretId }

// Empty is an operation's empty answer.
type Empty struct{}

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return ErrValidation.Errorf("Number of tags exceeds the limit of 50.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 || strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return ErrValidation.Errorf("Invalid tag key or value: %q", t.Key)
		}
	}
	return nil
}

// TagResource adds or replaces a secret's tags.
func (s *Service) TagResource(ctx context.Context, in *TagInput) (*Empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return s.retag(ctx, in.SecretId, func(tags []Tag) []Tag {
		for _, t := range in.Tags {
			tags = append(dropTag(tags, t.Key), t)
		}
		return tags
	})
}

// UntagResource removes a secret's tags.
func (s *Service) UntagResource(ctx context.Context, in *TagInput) (*Empty, error) {
	return s.retag(ctx, in.SecretId, func(tags []Tag) []Tag {
		for _, k := range in.TagKeys {
			tags = dropTag(tags, k)
		}
		return tags
	})
}

func (s *Service) retag(ctx context.Context, id string, fn func([]Tag) []Tag) (*Empty, error) {
	x, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	x.doc.Tags = fn(x.doc.Tags)
	if len(x.doc.Tags) > 50 {
		return nil, ErrValidation.Errorf("Number of tags exceeds the limit of 50.")
	}
	return &Empty{}, s.save(ctx, x)
}

func dropTag(tags []Tag, key string) []Tag {
	var out []Tag
	for _, t := range tags {
		if t.Key != key {
			out = append(out, t)
		}
	}
	return out
}

// GetRandomPasswordInput is GetRandomPassword's input.
type GetRandomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       string
	ExcludeNumbers          bool
	ExcludePunctuation      bool
	ExcludeUppercase        bool
	ExcludeLowercase        bool
	IncludeSpace            bool
	RequireEachIncludedType *bool
}

// GetRandomPasswordOutput is GetRandomPassword's answer.
type GetRandomPasswordOutput struct{ RandomPassword string }

const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// GetRandomPassword makes a random password of 1–4096 characters (32 by default), with at
// least one of each included type unless told otherwise.
func (s *Service) GetRandomPassword(ctx context.Context, in *GetRandomPasswordInput) (*GetRandomPasswordOutput, error) {
	n := int64(32)
	if in.PasswordLength != nil {
		n = *in.PasswordLength
	}
	if n < 1 || n > 4096 {
		return nil, ErrInvalidParameter.Errorf("PasswordLength must be between 1 and 4096.")
	}
	var sets []string
	for _, c := range []struct {
		chars string
		skip  bool
	}{{"abcdefghijklmnopqrstuvwxyz", in.ExcludeLowercase}, {"ABCDEFGHIJKLMNOPQRSTUVWXYZ", in.ExcludeUppercase},
		{"0123456789", in.ExcludeNumbers}, {punctuation, in.ExcludePunctuation}, {" ", !in.IncludeSpace}} {
		if set := strings.Map(func(r rune) rune {
			if strings.ContainsRune(in.ExcludeCharacters, r) {
				return -1
			}
			return r
		}, c.chars); !c.skip && set != "" {
			sets = append(sets, set)
		}
	}
	each := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	if len(sets) == 0 || each && int64(len(sets)) > n {
		return nil, ErrInvalidParameter.Errorf("The password cannot be generated with the given constraints.")
	}
	return &GetRandomPasswordOutput{RandomPassword: password(int(n), sets, each)}, nil
}

// password draws n characters from the sets, retrying until each set appears when each is set.
func password(n int, sets []string, each bool) string {
	all := strings.Join(sets, "")
	for {
		b := make([]byte, n)
		for i := range b {
			j, _ := rand.Int(rand.Reader, big.NewInt(int64(len(all))))
			b[i] = all[j.Int64()]
		}
		ok := true
		for _, set := range sets {
			ok = ok && (!each || strings.ContainsAny(string(b), set))
		}
		if ok {
			return string(b)
		}
	}
}
