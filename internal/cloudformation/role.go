package cloudformation

import (
	"context"
	"net/url"
	"strings"

	"github.com/gureum/gureum/internal/service"
)

// A stack's service role (RoleARN): CloudFormation assumes it and makes the stack's resources as
// that role's session, so the role's policies, not the caller's, decide what the stack may do.
// The caller must be allowed iam:PassRole on it (a check of the call itself); a role that does
// not exist, is another account's, or does not trust cloudformation.amazonaws.com cannot be
// assumed and the call fails as AWS's does.

// roleSession is the session name CloudFormation's calls carry.
const roleSession = "AWSCloudFormation"

// asRole is the principal a stack's operation acts as: the caller, or a session of roleARN.
func (s *Service) asRole(ctx context.Context, p principal, roleARN string) (principal, error) {
	if roleARN == "" {
		return p, nil
	}
	invalid := validation("Role %s is invalid or cannot be assumed", roleARN)
	account, name, ok := roleOfARN(roleARN)
	if !ok || account != p.Account {
		return p, invalid
	}
	// CloudFormation reads the role as the service, in the role's account.
	svc := principal{Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account, Root: true, Host: p.Host}
	out, err := s.calls.callMap(ctx, svc, "iam", "GetRole", map[string]any{"RoleName": name})
	if err != nil {
		return p, invalid
	}
	role, _ := out["Role"].(map[string]any)
	id, _ := role["RoleId"].(string)
	arn, _ := role["Arn"].(string)
	trust, _ := role["AssumeRolePolicyDocument"].(string)
	if t, err := url.QueryUnescape(trust); err == nil {
		trust = t
	}
	if arn != roleARN || !strings.Contains(trust, "cloudformation.amazonaws.com") || !strings.Contains(trust, "sts:AssumeRole") {
		return p, invalid
	}
	return principal{Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + roleSession,
		UserID: id + ":" + roleSession, Host: p.Host}, nil
}

// roleOfARN splits arn:aws:iam::ACCOUNT:role/[path/]NAME.
func roleOfARN(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := parts[5]
	return parts[4], res[strings.LastIndexByte(res, '/')+1:], parts[4] != ""
}

// roleNamer is an input that may name a service role.
type roleNamer interface{ roleARN() string }

func (i *CreateStackInput) roleARN() string     { return i.RoleARN }
func (i *UpdateStackInput) roleARN() string     { return i.RoleARN }
func (i *DeleteStackInput) roleARN() string     { return i.RoleARN }
func (i *CreateChangeSetInput) roleARN() string { return i.RoleARN }

// roleChecks are a call's questions: the stack, and iam:PassRole on the role it gives.
func (s *Service) roleChecks(action string) func(context.Context, any) []service.Check {
	return func(ctx context.Context, in any) []service.Check {
		checks := []service.Check{{Action: action, Resource: s.stackResource(ctx, in)}}
		if r, ok := in.(roleNamer); ok && r.roleARN() != "" {
			checks = append(checks, service.Check{Action: "iam:PassRole", Resource: r.roleARN()})
		}
		return checks
	}
}

// cmpOr is the first of a and b that is not empty.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
