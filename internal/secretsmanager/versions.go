package secretsmanager

import (
	"context"
	"slices"
)

// UpdateSecretVersionStageInput is UpdateSecretVersionStage's input.
type UpdateSecretVersionStageInput struct {
	SecretId            string
	VersionStage        string
	RemoveFromVersionId string
	MoveToVersionId     string
}

func (i *UpdateSecretVersionStageInput) secretID() string { return i.SecretId }

// UpdateSecretVersionStage moves a staging label: a label attached elsewhere must be named by
// RemoveFromVersionId to move; moving AWSCURRENT makes the version it left AWSPREVIOUS.
func (s *Service) UpdateSecretVersionStage(ctx context.Context, in *UpdateSecretVersionStageInput) (*SecretOutput, error) {
	if in.VersionStage == "" || len(in.VersionStage) > 256 {
		return nil, ErrInvalidParameter.Errorf("You must provide a VersionStage of 1 to 256 characters.")
	}
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	if err := live(x); err != nil {
		return nil, err
	}
	holder := x.staged(in.VersionStage)
	if in.MoveToVersionId != "" && x.find(in.MoveToVersionId) < 0 || in.RemoveFromVersionId != "" && x.find(in.RemoveFromVersionId) < 0 {
		return nil, ErrInvalidParameter.Errorf("The version ID you specified is not valid for this secret.")
	}
	if in.RemoveFromVersionId != "" && (holder < 0 || x.doc.Versions[holder].VersionId != in.RemoveFromVersionId) {
		return nil, ErrInvalidParameter.Errorf("The staging label %s is not attached to version %s.", in.VersionStage, in.RemoveFromVersionId)
	}
	switch {
	case in.MoveToVersionId != "":
		if holder >= 0 && x.doc.Versions[holder].VersionId != in.MoveToVersionId && in.RemoveFromVersionId == "" {
			return nil, ErrInvalidParameter.Errorf("The staging label %s is currently attached to version %s. You must specify that version in RemoveFromVersionId to move the label.", in.VersionStage, x.doc.Versions[holder].VersionId)
		}
		x.move(in.VersionStage, in.MoveToVersionId)
	case in.RemoveFromVersionId != "":
		if in.VersionStage == stageCurrent {
			return nil, ErrInvalidParameter.Errorf("You can only move AWSCURRENT to another version; it cannot be removed.")
		}
		v := &x.doc.Versions[holder]
		v.Stages = slices.DeleteFunc(v.Stages, func(s string) bool { return s == in.VersionStage })
	default:
		return nil, ErrInvalidParameter.Errorf("You must specify MoveToVersionId or RemoveFromVersionId.")
	}
	x.doc.Changed = s.clock.Now()
	return &SecretOutput{ARN: x.doc.ARN, Name: x.doc.Name}, s.save(ctx, x)
}

// ListSecretVersionIdsInput is ListSecretVersionIds' input.
type ListSecretVersionIdsInput struct {
	SecretId          string
	MaxResults        *int32
	NextToken         string
	IncludeDeprecated bool
}

func (i *ListSecretVersionIdsInput) secretID() string { return i.SecretId }

// SecretVersionsListEntry is one version of ListSecretVersionIds.
type SecretVersionsListEntry struct {
	VersionId        string
	VersionStages    []string
	LastAccessedDate *Time `json:",omitempty"`
	CreatedDate      *Time
	KmsKeyIds        []string
}

// ListSecretVersionIdsOutput is ListSecretVersionIds' answer.
type ListSecretVersionIdsOutput struct {
	Versions  []SecretVersionsListEntry
	NextToken string `json:",omitempty"`
	ARN       string
	Name      string
}

// ListSecretVersionIds lists a secret's versions: those with a staging label, and with
// IncludeDeprecated those without.
func (s *Service) ListSecretVersionIds(ctx context.Context, in *ListSecretVersionIdsInput) (*ListSecretVersionIdsOutput, error) {
	n, start, err := page(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	x, err := s.load(ctx, in.SecretId)
	if err != nil {
		return nil, err
	}
	out := &ListSecretVersionIdsOutput{Versions: []SecretVersionsListEntry{}, ARN: x.doc.ARN, Name: x.doc.Name}
	var vs []secretVersion
	for _, v := range x.doc.Versions {
		if len(v.Stages) > 0 || in.IncludeDeprecated {
			vs = append(vs, v)
		}
	}
	for i := start; i < len(vs); i++ {
		if len(out.Versions) == n {
			out.NextToken = nextToken(i)
			break
		}
		stages := vs[i].Stages
		if stages == nil {
			stages = []string{}
		}
		out.Versions = append(out.Versions, SecretVersionsListEntry{VersionId: vs[i].VersionId, VersionStages: stages,
			CreatedDate: at(vs[i].Created), KmsKeyIds: []string{vs[i].KmsKeyId}})
	}
	return out, nil
}

// BatchGetSecretValueInput is BatchGetSecretValue's input.
type BatchGetSecretValueInput struct {
	SecretIdList []string
	Filters      []Filter
	MaxResults   *int32
	NextToken    string
}

// APIErrorType is one secret BatchGetSecretValue could not read.
type APIErrorType struct {
	SecretId  string
	ErrorCode string
	Message   string
}

// BatchGetSecretValueOutput is BatchGetSecretValue's answer.
type BatchGetSecretValueOutput struct {
	SecretValues []GetSecretValueOutput
	NextToken    string `json:",omitempty"`
	Errors       []APIErrorType
}

// BatchGetSecretValue reads the AWSCURRENT values of up to 20 named secrets, or of the secrets
// the filters select (a page at a time).
func (s *Service) BatchGetSecretValue(ctx context.Context, in *BatchGetSecretValueInput) (*BatchGetSecretValueOutput, error) {
	if len(in.SecretIdList) > 0 == (len(in.Filters) > 0) {
		return nil, ErrInvalidParameter.Errorf("Either SecretIdList or Filters must be provided, not both.")
	}
	out := &BatchGetSecretValueOutput{SecretValues: []GetSecretValueOutput{}, Errors: []APIErrorType{}}
	if len(in.SecretIdList) > 0 {
		if len(in.SecretIdList) > 20 || in.MaxResults != nil {
			return nil, ErrInvalidParameter.Errorf("SecretIdList takes at most 20 ids and no MaxResults.")
		}
		for _, id := range in.SecretIdList {
			v, err := s.GetSecretValue(ctx, &GetSecretValueInput{SecretId: id})
			if err != nil {
				out.Errors = append(out.Errors, apiError(id, err))
				continue
			}
			out.SecretValues = append(out.SecretValues, *v)
		}
		return out, nil
	}
	return s.batchByFilter(ctx, in, out)
}

// batchByFilter is BatchGetSecretValue with Filters.
func (s *Service) batchByFilter(ctx context.Context, in *BatchGetSecretValueInput, out *BatchGetSecretValueOutput) (*BatchGetSecretValueOutput, error) {
	max := int32(20)
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	if max < 1 || max > 20 {
		return nil, ErrInvalidParameter.Errorf("MaxResults must be between 1 and 20.")
	}
	n, start, err := page(&max, in.NextToken)
	if err != nil {
		return nil, err
	}
	xs, err := s.secrets(ctx, in.Filters, false, false)
	if err != nil {
		return nil, err
	}
	for i := start; i < len(xs); i++ {
		if i-start == n {
			out.NextToken = nextToken(i)
			break
		}
		v, err := s.valueOf(ctx, xs[i], "", "")
		if err != nil {
			out.Errors = append(out.Errors, apiError(xs[i].doc.ARN, err))
			continue
		}
		out.SecretValues = append(out.SecretValues, *v)
	}
	return out, nil
}
