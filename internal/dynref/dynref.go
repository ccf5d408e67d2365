// Package dynref resolves what CloudFormation reads from Parameter Store and Secrets Manager at
// deploy time: template parameters of the AWS::SSM::Parameter::Value<…> types, and dynamic
// references ({{resolve:ssm:…}}, {{resolve:ssm-secure:…}}, {{resolve:secretsmanager:…}}) in
// template strings. CloudFormation calls it in process, for the account deploying the stack;
// it holds no state of its own.
//
// How CloudFormation uses it (the server wires a Resolver from its ssm and secretsmanager
// services):
//
//	r := dynref.Resolver{Parameters: params, Secrets: secrets}
//	// a template parameter whose Type is AWS::SSM::Parameter::Value<String> and whose given
//	// value is a parameter name:
//	v, err := r.ParameterValue(ctx, account, "AWS::SSM::Parameter::Value<String>", "/cdk-bootstrap/hnb659fds/version")
//	// v.Value is the parameter's value; v.List its items for the List<…> and
//	// CommaDelimitedList types.
//	// a property string that may hold dynamic references:
//	s, err := r.Resolve(ctx, account, "{{resolve:secretsmanager:db:SecretString:password}}")
//
// Errors are *Error: CloudFormation reports them as its ValidationError with Error's message.
package dynref

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
)

// Parameters is Parameter Store as the resolver reads it (ssm.Service).
type Parameters interface {
	Resolve(ctx context.Context, account, ref string, decrypt bool) (typ, value string, err error)
}

// Secrets is Secrets Manager as the resolver reads it (secretsmanager.Service).
type Secrets interface {
	Resolve(ctx context.Context, account, secretID, versionStage, versionID string) (string, error)
}

// Resolver resolves parameter types and dynamic references against the two services.
type Resolver struct {
	Parameters Parameters
	Secrets    Secrets
}

// Error is a reference that cannot be resolved: a malformed one, or what the service answered.
type Error struct {
	Ref string // the reference as written
	Msg string
	Err error // the service's error, if any
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the service's error.
func (e *Error) Unwrap() error { return e.Err }

func refError(ref string, err error, format string, a ...any) *Error {
	return &Error{Ref: ref, Err: err, Msg: fmt.Sprintf(format, a...)}
}

// Parameter types a template may give a parameter whose value is a Parameter Store name.
const (
	TypeString             = "AWS::SSM::Parameter::Value<String>"
	TypeList               = "AWS::SSM::Parameter::Value<List<String>>"
	TypeCommaDelimitedList = "AWS::SSM::Parameter::Value<CommaDelimitedList>"
)

// IsParameterType reports whether a template parameter type is read from Parameter Store:
// the three above and AWS::SSM::Parameter::Value<AWS-specific type> (an AMI id, a subnet, …,
// and their List<…> forms).
func IsParameterType(typ string) bool {
	return strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") && strings.HasSuffix(typ, ">")
}

// Value is a resolved template parameter.
type Value struct {
	Value string   // the parameter's value
	List  []string // its items, for the List<…> and CommaDelimitedList types; nil otherwise
}

// ParameterValue resolves a template parameter of an AWS::SSM::Parameter::Value<…> type whose
// value is name (a parameter name, optionally name:version or name:label). A SecureString is
// refused, as CloudFormation refuses it for these types.
func (r Resolver) ParameterValue(ctx context.Context, account, typ, name string) (Value, error) {
	if !IsParameterType(typ) {
		return Value{}, refError(name, nil, "Parameter type %s is not an AWS::SSM::Parameter::Value type", typ)
	}
	t, v, err := r.Parameters.Resolve(ctx, account, name, false)
	if err != nil {
		return Value{}, refError(name, err, "Unable to fetch parameters [%s] from parameter store for this account.", name)
	}
	if t == "SecureString" {
		return Value{}, refError(name, nil, "Parameters [%s] referenced by template have types not supported by CloudFormation.", name)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(typ, "AWS::SSM::Parameter::Value<"), ">")
	out := Value{Value: v}
	if strings.HasPrefix(inner, "List<") || inner == "CommaDelimitedList" {
		out.List = splitList(v)
	}
	return out, nil
}

func splitList(v string) []string {
	if v == "" {
		return []string{}
	}
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// Contains reports whether s holds a dynamic reference.
func Contains(s string) bool { return strings.Contains(s, "{{resolve:") }

// Resolve replaces every dynamic reference in s with its value.
func (r Resolver) Resolve(ctx context.Context, account, s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{resolve:")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return "", refError(s[i:], nil, "Incorrect format of dynamic reference %s: it does not end with }}", s[i:])
		}
		ref := s[i : i+j+2]
		v, err := r.one(ctx, account, ref)
		if err != nil {
			return "", err
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+j+2:]
	}
}

// Reference is a parsed dynamic reference.
type Reference struct {
	Service      string // "ssm", "ssm-secure" or "secretsmanager"
	Name         string // the parameter name (with :version when given) or the secret id
	JSONKey      string // secretsmanager: the key of the SecretString's JSON object to read
	VersionStage string // secretsmanager
	VersionID    string // secretsmanager
}

// Parse reads one dynamic reference, "{{resolve:service:…}}".
func Parse(ref string) (Reference, error) {
	body, ok := strings.CutPrefix(ref, "{{resolve:")
	if body, ok = strings.CutSuffix(body, "}}"); !ok || strings.Contains(body, "{{") {
		return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s", ref)
	}
	svc, rest, _ := strings.Cut(body, ":")
	switch svc {
	case "ssm", "ssm-secure":
		if rest == "" {
			return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: the parameter name is missing", ref)
		}
		return Reference{Service: svc, Name: rest}, nil
	case "secretsmanager":
		return parseSecretRef(ref, rest)
	}
	return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: the service must be ssm, ssm-secure or secretsmanager", ref)
}

// parseSecretRef reads secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]; the
// secret id may be an ARN, whose own seven colon-separated fields are kept together.
func parseSecretRef(ref, rest string) (Reference, error) {
	parts := strings.Split(rest, ":")
	n := 1
	if parts[0] == "arn" {
		n = 7
	}
	if len(parts) < n || parts[0] == "" {
		return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: the secret id is missing", ref)
	}
	r := Reference{Service: "secretsmanager", Name: strings.Join(parts[:n], ":")}
	fields := append(parts[n:], "", "", "", "")
	if len(parts[n:]) > 4 {
		return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: too many fields", ref)
	}
	if fields[0] != "" && fields[0] != "SecretString" {
		return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: only SecretString can be referenced", ref)
	}
	r.JSONKey, r.VersionStage, r.VersionID = fields[1], fields[2], fields[3]
	if r.VersionStage != "" && r.VersionID != "" {
		return Reference{}, refError(ref, nil, "Incorrect format of dynamic reference %s: give a version stage or a version id, not both", ref)
	}
	return r, nil
}

// one resolves a single reference.
func (r Resolver) one(ctx context.Context, account, ref string) (string, error) {
	p, err := Parse(ref)
	if err != nil {
		return "", err
	}
	switch p.Service {
	case "ssm", "ssm-secure":
		secure := p.Service == "ssm-secure"
		t, v, err := r.Parameters.Resolve(ctx, account, p.Name, secure)
		if err != nil {
			return "", refError(ref, err, "Unable to resolve %s: %s", ref, message(err))
		}
		if secure != (t == "SecureString") {
			if secure {
				return "", refError(ref, nil, "Unable to resolve %s: the parameter is a %s, not a SecureString; use {{resolve:ssm:…}}", ref, t)
			}
			return "", refError(ref, nil, "Unable to resolve %s: SecureString parameters are read with {{resolve:ssm-secure:…}}", ref)
		}
		return v, nil
	}
	v, err := r.Secrets.Resolve(ctx, account, p.Name, p.VersionStage, p.VersionID)
	if err != nil {
		return "", refError(ref, err, "Unable to resolve %s: %s", ref, message(err))
	}
	if p.JSONKey == "" {
		return v, nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(v), &obj) != nil {
		return "", refError(ref, nil, "Unable to resolve %s: the secret's value is not a JSON object", ref)
	}
	raw, ok := obj[p.JSONKey]
	if !ok {
		return "", refError(ref, nil, "Unable to resolve %s: the secret's JSON has no key %s", ref, p.JSONKey)
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, nil
	}
	return string(raw), nil
}

func message(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}
