package ssm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"

	"github.com/gureum/gureum/internal/store"
)

const maxVersions = 100

// param is a loaded parameter: its record's account and revision and its document.
type param struct {
	account string
	rev     int64
	doc     paramDoc
}

func notFound(name string) error { return ErrParameterNotFound.Errorf("Parameter %s not found.", name) }

// load reads a parameter.
func (s *Service) load(ctx context.Context, account, name string) (*param, error) {
	rec, err := s.store.SecretRecord(ctx, store.KindSSMParam, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, err
	}
	p := &param{account: account, rev: rec.Rev}
	return p, json.Unmarshal(rec.Doc, &p.doc)
}

// save writes a parameter, creating it when rev is 0.
func (s *Service) save(ctx context.Context, p *param) error {
	doc, _ := json.Marshal(p.doc)
	rec := store.SecretRecord{Kind: store.KindSSMParam, Account: p.account, Name: p.doc.Name, Rev: p.rev, Doc: doc, Updated: s.clock.Now()}
	if p.rev == 0 {
		err := s.store.CreateSecretRecord(ctx, rec)
		if errors.Is(err, store.ErrExists) {
			return ErrParameterAlreadyExists.Errorf("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		}
		return err
	}
	err := s.store.UpdateSecretRecord(ctx, rec)
	if errors.Is(err, store.ErrConditionFailed) {
		return ErrTooManyUpdates.Errorf("There are concurrent updates for the resource that you are trying to update. Please try again.")
	}
	return err
}

// PutParameterInput is PutParameter's input.
type PutParameterInput struct {
	Name           string
	Description    *string
	Value          *string
	Type           string
	KeyId          string
	Overwrite      bool
	AllowedPattern *string
	Tags           []Tag
	Tier           string
	Policies       string
	DataType       string
}

func (i *PutParameterInput) paramName() string { return i.Name }

// PutParameterOutput is PutParameter's answer.
type PutParameterOutput struct {
	Version int64
	Tier    string
}

// PutParameter creates a parameter or, with Overwrite, adds a version.
func (s *Service) PutParameter(ctx context.Context, in *PutParameterInput) (*PutParameterOutput, error) {
	account := callerAccount(ctx)
	if err := checkName(in.Name, s.arn(account, in.Name)); err != nil {
		return nil, err
	}
	if in.Value == nil {
		return nil, ErrValidation.Errorf("1 validation error detected: Value null at 'value' failed to satisfy constraint: Member must not be null")
	}
	p, err := s.load(ctx, account, in.Name)
	var nf bool
	if err != nil {
		if nf = isCode(err, ErrParameterNotFound); !nf {
			return nil, err
		}
		p = &param{account: account, doc: paramDoc{Name: in.Name}}
	}
	if !nf && !in.Overwrite {
		return nil, ErrParameterAlreadyExists.Errorf("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	}
	if nf && len(in.Tags) > 0 {
		if err := checkTags(in.Tags); err != nil {
			return nil, err
		}
		p.doc.Tags = in.Tags
	} else if !nf && len(in.Tags) > 0 {
		return nil, ErrValidation.Errorf("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	v, err := s.newVersion(ctx, p, in)
	if err != nil {
		return nil, err
	}
	if err := appendVersion(p, v); err != nil {
		return nil, err
	}
	if err := s.save(ctx, p); err != nil {
		return nil, err
	}
	return &PutParameterOutput{Version: v.Version, Tier: v.Tier}, nil
}

// newVersion builds the version PutParameter stores, carrying unset settings over from the
// latest version, and encrypts a SecureString's value.
func (s *Service) newVersion(ctx context.Context, p *param, in *PutParameterInput) (version, error) {
	v := version{Type: in.Type, Tier: in.Tier, DataType: in.DataType, KeyId: in.KeyId, Modified: s.clock.Now(), ModifiedBy: callerARN(ctx)}
	if len(p.doc.Versions) > 0 {
		prev := p.doc.latest()
		v.Version = prev.Version + 1
		v.Description, v.AllowedPattern, v.Policies = prev.Description, prev.AllowedPattern, prev.Policies
		if v.Type == "" {
			v.Type = prev.Type
		}
		if v.KeyId == "" && v.Type == "SecureString" && prev.Type == "SecureString" {
			v.KeyId = prev.KeyId
		}
		if v.Tier == "" && prev.Tier == "Advanced" {
			v.Tier = "Advanced"
		} else if in.Tier == "Standard" && prev.Tier == "Advanced" {
			return v, ErrValidation.Errorf("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
	} else {
		v.Version = 1
	}
	if in.Description != nil {
		v.Description = *in.Description
	}
	if in.AllowedPattern != nil {
		v.AllowedPattern = *in.AllowedPattern
	}
	if in.Policies != "" {
		ps, err := parsePolicies(in.Policies)
		if err != nil {
			return v, err
		}
		v.Policies = ps
		if v.Tier == "Standard" || v.Tier == "" && (len(p.doc.Versions) == 0 || p.doc.latest().Tier != "Advanced") {
			if v.Tier == "Standard" {
				return v, ErrValidation.Errorf("Parameter policies are supported only for advanced tier parameters.")
			}
			v.Tier = "Advanced"
		}
	}
	if err := settle(&v, *in.Value); err != nil {
		return v, err
	}
	if in.KeyId != "" && v.Type != "SecureString" {
		return v, ErrValidation.Errorf("KeyId is required for SecureString type parameter only.")
	}
	return v, s.seal(ctx, p, &v, *in.Value)
}

// settle checks a version's type, tier, data type, description and pattern against its value.
func settle(v *version, value string) error {
	switch v.Type {
	case "String", "StringList", "SecureString":
	case "":
		return ErrValidation.Errorf("A parameter type is required when you create a parameter.")
	default:
		return ErrUnsupportedParameterType.Errorf("%s", v.Type)
	}
	switch v.Tier {
	case "", "Standard":
		v.Tier = "Standard"
	case "Intelligent-Tiering":
		v.Tier = "Standard"
		if len(value) > 4096 {
			v.Tier = "Advanced"
		}
	case "Advanced":
	default:
		return ErrValidation.Errorf("1 validation error detected: Value '%s' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]", v.Tier)
	}
	if limit := map[string]int{"Standard": 4096, "Advanced": 8192}[v.Tier]; len(value) > limit || value == "" {
		return ErrValidation.Errorf("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	}
	switch v.DataType {
	case "":
		v.DataType = "text"
	case "text", "aws:ec2:image", "aws:ssm:integration":
	default:
		return ErrValidation.Errorf("The following data type is not supported: %s (Data type names are all lowercase.)", v.DataType)
	}
	if len(v.Description) > 1024 {
		return ErrValidation.Errorf("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	return checkPattern(v.AllowedPattern, value)
}

// checkPattern applies an AllowedPattern (a regular expression of up to 1024 characters).
func checkPattern(pattern, value string) error {
	if pattern == "" {
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil || len(pattern) > 1024 {
		return ErrInvalidAllowedPattern.Errorf("The allowed pattern is not a valid regular expression.")
	}
	if !re.MatchString(value) {
		return ErrPatternMismatch.Errorf("Parameter value, cannot be validated against allowedPattern: %s", pattern)
	}
	return nil
}

// seal sets a version's value: in the clear for String and StringList, encrypted for a
// SecureString under its key (alias/aws/ssm by default) with the parameter's ARN as context.
func (s *Service) seal(ctx context.Context, p *param, v *version, value string) error {
	if v.Type != "SecureString" {
		v.Value, v.KeyId = value, ""
		return nil
	}
	keyID := v.KeyId
	if keyID == "" {
		keyID = "alias/aws/ssm"
	}
	blob, _, err := s.keys.EncryptFor(ctx, p.account, keyID, []byte(value), s.context(p))
	if err != nil {
		if isNotFoundCode(err) {
			return ErrInvalidKeyID.Errorf("Invalid KeyId: %s", keyID)
		}
		return err
	}
	v.Cipher, v.KeyId = blob, keyID
	return nil
}

// context is the encryption context of a parameter's SecureString values, as AWS sets it.
func (s *Service) context(p *param) map[string]string {
	return map[string]string{"PARAMETER_ARN": s.arn(p.account, p.doc.Name)}
}

// appendVersion adds v, dropping the oldest version past 100 unless it has a label.
func appendVersion(p *param, v version) error {
	p.doc.Versions = append(p.doc.Versions, v)
	if len(p.doc.Versions) <= maxVersions {
		return nil
	}
	if len(p.doc.Versions[0].Labels) > 0 {
		return ErrMaxVersionLimitExceeded.Errorf("You attempted to create a new version of %s by calling the PutParameter API with the overwrite flag. Version %d, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.", p.doc.Name, p.doc.Versions[0].Version)
	}
	p.doc.Versions = p.doc.Versions[1:]
	return nil
}

// value is a version's value as a reader sees it: decrypted when asked, else a SecureString's
// ciphertext in base64, as AWS answers.
func (s *Service) value(ctx context.Context, p *param, v *version, decrypt bool) (string, error) {
	if v.Type != "SecureString" {
		return v.Value, nil
	}
	if !decrypt {
		return base64.StdEncoding.EncodeToString(v.Cipher), nil
	}
	plain, err := s.keys.DecryptFor(ctx, p.account, v.Cipher, s.context(p))
	return string(plain), err
}

const storeKind = store.KindSSMParam

func isStoreNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// parsePolicies reads PutParameter's Policies: a JSON array of up to 10 policies of the types
// AWS knows. They are stored and described; their expirations and notifications do not run.
func parsePolicies(text string) ([]ParameterInlinePolicy, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, ErrInvalidPolicyAttribute.Errorf("The policy is not a valid JSON array of policies.")
	}
	if len(raw) > 10 {
		return nil, ErrPoliciesLimitExceeded.Errorf("You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.")
	}
	out := make([]ParameterInlinePolicy, 0, len(raw))
	for _, r := range raw {
		var p struct{ Type string }
		json.Unmarshal(r, &p)
		switch p.Type {
		case "Expiration", "ExpirationNotification", "NoChangeNotification":
		default:
			return nil, ErrInvalidPolicyType.Errorf("The policy type %q is not supported. Supported types: Expiration, ExpirationNotification, NoChangeNotification.", p.Type)
		}
		out = append(out, ParameterInlinePolicy{PolicyText: string(r), PolicyType: p.Type, PolicyStatus: "Pending"})
	}
	return out, nil
}
