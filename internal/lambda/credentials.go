package lambda

import (
	"context"
	"time"
)

// RoleCredentials are an execution role's temporary credentials.
type RoleCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}

// Roles issues a function's execution-role credentials: STS's AssumeRole in process, as Lambda
// (the service principal lambda.amazonaws.com) assumes the role, so the role's trust policy must
// allow lambda.amazonaws.com.
type Roles interface {
	AssumeRole(ctx context.Context, account, roleARN, sessionName string) (RoleCredentials, error)
}

// credentialsTTL is how long an environment's credentials are asked for; an environment whose
// credentials end within credentialsSlack is not reused (a new one gets fresh credentials).
const (
	credentialsTTL   = time.Hour
	credentialsSlack = 5 * time.Minute
)

// roleEnv assumes the function's role for a new environment: the variables that carry the
// credentials and when they expire. A role that cannot be assumed (missing, or not trusting
// Lambda) leaves the environment without credentials, as before STS existed, and says why.
func (s *Service) roleEnv(ctx context.Context, key envKey, c *FunctionConfiguration) ([]string, time.Time) {
	if s.cfg.Roles == nil || c.Role == "" {
		return nil, time.Time{}
	}
	creds, err := s.cfg.Roles.AssumeRole(ctx, key.account, c.Role, c.FunctionName)
	if err != nil {
		s.cfg.Log.Info("function runs without credentials: its execution role cannot be assumed", "function", c.FunctionName, "role", c.Role, "err", err)
		return nil, time.Time{}
	}
	return []string{"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken}, creds.Expires
}
