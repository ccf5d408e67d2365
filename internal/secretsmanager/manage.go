package secretsmanager

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// IDInput is an input that names only a secret.
type IDInput struct{ SecretId string }

func (i *IDInput) secretID() string { return i.SecretId }

// DescribeSecretOutput is DescribeSecret's answer (and a ListSecrets entry).
type DescribeSecretOutput struct {
	ARN                    string
	Name                   string
	Description            string              `json:",omitempty"`
	KmsKeyId               string              `json:",omitempty"`
	RotationEnabled        bool                `json:",omitempty"`
	RotationLambdaARN      string              `json:",omitempty"`
	RotationRules          *RotationRules      `json:",omitempty"`
	LastRotatedDate        *Time               `json:",omitempty"`
	LastChangedDate        *Time               `json:",omitempty"`
	LastAccessedDate       *Time               `json:",omitempty"`
	DeletedDate            *Time               `json:",omitempty"`
	NextRotationDate       *Time               `json:",omitempty"`
	Tags                   []Tag               `json:",omitempty"`
	VersionIdsToStages     map[string][]string `json:",omitempty"`
	SecretVersionsToStages map[string][]string `json:",omitempty"`
	CreatedDate            *Time
	PrimaryRegion          string `json:",omitempty"`
}

// describe is a secret as DescribeSecret shows it.
func describe(x *secret) DescribeSecretOutput {
	stages := map[string][]string{}
	for _, v := range x.doc.Versions {
		if len(v.Stages) > 0 {
			stages[v.VersionId] = v.Stages
		}
	}
	d := DescribeSecretOutput{ARN: x.doc.ARN, Name: x.doc.Name, Description: x.doc.Description, KmsKeyId: x.doc.KmsKeyId,
		RotationEnabled: x.doc.RotationEnabled, RotationLambdaARN: x.doc.RotationLambda, RotationRules: x.doc.Rules,
		LastRotatedDate: at(x.doc.LastRotated), LastChangedDate: at(x.doc.Changed), LastAccessedDate: at(x.doc.Accessed), DeletedDate: at(x.doc.Deleted),
		Tags: x.doc.Tags, CreatedDate: at(x.doc.Created)}
	if x.doc.RotationEnabled {
		d.NextRotationDate = at(x.doc.NextRotation)
	}
	if len(stages) > 0 {
		d.VersionIdsToStages = stages
	}
	return d
}

// DescribeSecret describes a secret, without its value.
func (s *Service) DescribeSecret(ctx context.Context, in *IDInput) (*DescribeSecretOutput, error) {
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	d := describe(x)
	return &d, nil
}

// Filter is a ListSecrets filter.
type Filter struct {
	Key    string
	Values []string
}

// ListSecretsInput is ListSecrets' input.
type ListSecretsInput struct {
	IncludePlannedDeletion bool
	MaxResults             *int32
	NextToken              string
	Filters                []Filter
	SortOrder              string
	SortBy                 string
}

// ListSecretsOutput is ListSecrets' answer.
type ListSecretsOutput struct {
	SecretList []DescribeSecretOutput
	NextToken  string `json:",omitempty"`
}

// page reads MaxResults (1–100, default 100) and a NextToken.
func page(maxResults *int32, token string) (int, int, error) {
	n := 100
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 100 {
			return 0, 0, ErrInvalidParameter.Errorf("MaxResults must be between 1 and 100.")
		}
		n = int(*maxResults)
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || json.Unmarshal(b, &start) != nil || start < 0 {
			return 0, 0, ErrInvalidNextToken.Errorf("The NextToken value is invalid.")
		}
	}
	return n, start, nil
}

func nextToken(i int) string {
	b, _ := json.Marshal(i)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secrets lists the caller's secrets that pass the filters, by name (or reversed).
func (s *Service) secrets(ctx context.Context, filters []Filter, deleted bool, desc bool) ([]*secret, error) {
	if err := checkFilters(filters); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	recs, err := s.store.ListSecretRecords(ctx, store.KindSecret, account, "", "", 0)
	if err != nil {
		return nil, err
	}
	var out []*secret
	for _, r := range recs {
		x := &secret{account: account, rev: r.Rev}
		if json.Unmarshal(r.Doc, &x.doc) != nil || !deleted && !x.doc.Deleted.IsZero() || !matches(x, filters) {
			continue
		}
		if !x.doc.DeleteAt.IsZero() && !s.clock.Now().Before(x.doc.DeleteAt) { // its recovery window has ended
			s.purge(ctx, x)
			continue
		}
		out = append(out, x)
	}
	if desc {
		slices.Reverse(out)
	}
	return out, nil
}

// ListSecrets lists secrets' metadata, filtered.
func (s *Service) ListSecrets(ctx context.Context, in *ListSecretsInput) (*ListSecretsOutput, error) {
	n, start, err := page(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	xs, err := s.secrets(ctx, in.Filters, in.IncludePlannedDeletion, in.SortOrder == "desc")
	if err != nil {
		return nil, err
	}
	out := &ListSecretsOutput{SecretList: []DescribeSecretOutput{}}
	for i := start; i < len(xs); i++ {
		if len(out.SecretList) == n {
			out.NextToken = nextToken(i)
			break
		}
		d := describe(xs[i])
		d.SecretVersionsToStages, d.VersionIdsToStages = d.VersionIdsToStages, nil
		out.SecretList = append(out.SecretList, d)
	}
	return out, nil
}

var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

func checkFilters(fs []Filter) error {
	if len(fs) > 10 {
		return ErrInvalidParameter.Errorf("You can specify at most 10 filters.")
	}
	for _, f := range fs {
		if !slices.Contains(filterKeys, f.Key) {
			return ErrValidation.Errorf("1 validation error detected: Value '%s' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, owning-service, primary-region, tag-value]", f.Key)
		}
		if len(f.Values) == 0 {
			return ErrInvalidParameter.Errorf("Invalid filter values.")
		}
	}
	return nil
}

// matches applies ListSecrets' filters: every filter must match; a filter matches when any of
// its values prefixes a field (case-insensitively), "!" negating a value.
func matches(x *secret, fs []Filter) bool {
	for _, f := range fs {
		var fields []string
		switch f.Key {
		case "name":
			fields = []string{x.doc.Name}
		case "description":
			fields = []string{x.doc.Description}
		case "tag-key", "tag-value", "all":
			for _, t := range x.doc.Tags {
				if f.Key != "tag-value" {
					fields = append(fields, t.Key)
				}
				if f.Key != "tag-key" {
					fields = append(fields, t.Value)
				}
			}
			if f.Key == "all" {
				fields = append(fields, x.doc.Name, x.doc.Description)
			}
		}
		if !valuesMatch(fields, f.Values) {
			return false
		}
	}
	return true
}

func valuesMatch(fields, values []string) bool {
	for _, v := range values {
		neg := strings.HasPrefix(v, "!")
		v = strings.ToLower(strings.TrimPrefix(v, "!"))
		hit := slices.ContainsFunc(fields, func(f string) bool { return strings.HasPrefix(strings.ToLower(f), v) })
		if hit != neg {
			return true
		}
	}
	return false
}

// DeleteSecretInput is DeleteSecret's input.
type DeleteSecretInput struct {
	SecretId                   string
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery *bool
}

func (i *DeleteSecretInput) secretID() string { return i.SecretId }

// DeleteSecretOutput is DeleteSecret's answer.
type DeleteSecretOutput struct {
	ARN          string
	Name         string
	DeletionDate *Time
}

// DeleteSecret schedules a secret's deletion after a recovery window of 7–30 days (30 by
// default), or deletes it at once with ForceDeleteWithoutRecovery.
func (s *Service) DeleteSecret(ctx context.Context, in *DeleteSecretInput) (*DeleteSecretOutput, error) {
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, ErrInvalidParameter.Errorf("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(30)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
	}
	if days < 7 || days > 30 {
		return nil, ErrInvalidParameter.Errorf("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if force {
		return &DeleteSecretOutput{ARN: x.doc.ARN, Name: x.doc.Name, DeletionDate: at(now)}, s.purge(ctx, x)
	}
	if !x.doc.Deleted.IsZero() {
		return nil, ErrInvalidRequest.Errorf("You can't perform this operation on the secret because it was already scheduled for deletion.")
	}
	x.doc.Deleted, x.doc.DeleteAt = now, now.AddDate(0, 0, int(days))
	if err := s.save(ctx, x); err != nil {
		return nil, err
	}
	return &DeleteSecretOutput{ARN: x.doc.ARN, Name: x.doc.Name, DeletionDate: at(x.doc.DeleteAt)}, nil
}

// RestoreSecret cancels a scheduled deletion.
func (s *Service) RestoreSecret(ctx context.Context, in *IDInput) (*SecretOutput, error) {
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	if x.doc.Deleted.IsZero() {
		return nil, ErrInvalidRequest.Errorf("You tried to restore a secret that is not scheduled for deletion.")
	}
	x.doc.Deleted, x.doc.DeleteAt = time.Time{}, time.Time{}
	return &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}, s.save(ctx, x)
}
