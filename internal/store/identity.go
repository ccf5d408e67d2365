package store

import (
	"context"
	"errors"
	"time"
)

// ErrLimit is a write refused because it would pass a quota the store keeps (a managed policy's
// five versions).
var ErrLimit = errors.New("limit exceeded")

// Entity kinds of IAM.
const (
	KindUser  = "user"
	KindGroup = "group"
	KindRole  = "role"
)

// Tag is a key and value on an IAM entity.
type Tag struct {
	Key, Value string
}

// Entity is an IAM user, group or role. Fields that a kind does not have stay empty.
type Entity struct {
	Account     string
	Kind        string // KindUser, KindGroup or KindRole
	Name        string // unique per account and kind, compared case-insensitively by IAM
	ID          string // AIDA…, AGPA…, AROA…
	Path        string
	ARN         string
	Created     time.Time
	Description string // roles
	TrustPolicy string // roles: the AssumeRolePolicyDocument
	MaxSession  int    // roles: MaxSessionDuration in seconds
	Boundary    string // users and roles: the permissions boundary's policy ARN
	Tags        []Tag  // users and roles
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Account, Kind, Entity string
	Name, Document        string
}

// ManagedPolicy is a customer managed policy.
type ManagedPolicy struct {
	ARN            string
	Account        string
	Name           string
	ID             string // ANPA…
	Path           string
	Description    string
	DefaultVersion string // "v1"…
	NextVersion    int    // the number the next version gets (versions are never renumbered)
	Tags           []Tag
	Created        time.Time
	Updated        time.Time
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	PolicyARN string
	VersionID string
	Document  string
	Created   time.Time
}

// Attachment is a managed policy attached to an entity.
type Attachment struct {
	Account, Kind, Entity string
	PolicyARN             string
}

// Session is what a set of temporary credentials carries beyond its key: the role it is a session
// of (empty for GetSessionToken), its session policies and tags.
type Session struct {
	AccessKeyID    string
	Account        string
	RoleARN        string
	SessionName    string
	SourceIdentity string
	Policies       []string // inline session policy and the documents of the policy ARNs
	HasPolicies    bool     // the session was given session policies (an empty set allows nothing)
	Tags           []Tag
	TransitiveKeys []string
	Chained        bool // the session was made with a role session's credentials
	Expires        time.Time
}

// Identity stores IAM's users, groups, roles, their policies and attachments, and the records of
// STS sessions. Every write bumps a generation that nodes poll to drop their cached policies.
type Identity interface {
	CreateEntity(ctx context.Context, e Entity) error // ErrExists when the name is taken
	UpdateEntity(ctx context.Context, e Entity) error // ErrNotFound when it does not exist
	Entity(ctx context.Context, account, kind, name string) (Entity, error)
	Entities(ctx context.Context, account, kind string) ([]Entity, error)
	DeleteEntity(ctx context.Context, account, kind, name string) error

	PutInlinePolicy(ctx context.Context, p InlinePolicy) error // creates or replaces
	InlinePolicies(ctx context.Context, account, kind, entity string) ([]InlinePolicy, error)
	DeleteInlinePolicy(ctx context.Context, account, kind, entity, name string) error

	AddMember(ctx context.Context, account, group, user string) error // ErrExists when a member
	RemoveMember(ctx context.Context, account, group, user string) error
	Members(ctx context.Context, account, group string) ([]string, error)
	GroupsOf(ctx context.Context, account, user string) ([]string, error)

	CreatePolicy(ctx context.Context, p ManagedPolicy, first PolicyVersion) error
	UpdatePolicy(ctx context.Context, p ManagedPolicy) error
	Policy(ctx context.Context, arn string) (ManagedPolicy, error)
	Policies(ctx context.Context, account string) ([]ManagedPolicy, error)
	DeletePolicy(ctx context.Context, arn string) error // and its versions
	// CreatePolicyVersion adds a version (ErrLimit at max versions), making it the default when
	// setDefault; it returns the version id it was given.
	CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, max int, now time.Time) (string, error)
	PolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error)
	DeletePolicyVersion(ctx context.Context, arn, version string) error

	Attach(ctx context.Context, a Attachment) error // attaching twice is not an error
	Detach(ctx context.Context, a Attachment) error // ErrNotFound when not attached
	Attached(ctx context.Context, account, kind, entity string) ([]string, error)
	AttachedTo(ctx context.Context, policyARN string) ([]Attachment, error)

	// SetKeyActive moves a long-term key between active (in the access-key table, so it
	// authenticates) and inactive (kept aside, so it does not).
	SetKeyActive(ctx context.Context, id string, active bool) error
	InactiveKeys(ctx context.Context, account string) ([]AccessKey, error)
	DeleteInactiveKey(ctx context.Context, id string) error

	// PutSession records a session and drops the records (and keys) of sessions that expired a
	// day before now.
	PutSession(ctx context.Context, s Session, now time.Time) error
	Session(ctx context.Context, accessKeyID string) (Session, error)

	// ServerSecret returns the named secret shared by every node on this store, storing fresh
	// (made by the caller) the first time it is asked for.
	ServerSecret(ctx context.Context, name string, fresh []byte) ([]byte, error)

	// IdentityGeneration changes whenever any of the above does.
	IdentityGeneration(ctx context.Context) (int64, error)
}
