package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

const entityColumns = `account_id, kind, name, id, path, arn, created_at, description, trust_policy, max_session, boundary, tags`
const policyColumns = `arn, account_id, name, id, path, description, default_version, next_version, tags, created_at, updated_at`
const sessionColumns = `access_key_id, account_id, role_arn, session_name, source_identity, policies, has_policies, tags, transitive_keys, chained, expires_at`

var _ store.Identity = (*Identity)(nil)

// identityWrite runs fn in a write transaction and bumps the generation with it, so every node's
// policy cache learns of the change.
// Identity implements store.Identity.
type Identity struct {
	base
	st struct {
		bumpGeneration, createEntity, updateEntity, deleteEntity, deleteEntityInline, putInline         *stmt
		deleteInline, addMember, removeMember, createPolicy, updatePolicy, deletePolicy, deleteVersions *stmt
		takeVersion, setDefault, insertVersion, deleteVersion, attach, detach, activeKey, inactiveKey   *stmt
		dropActiveKey, dropInactiveKey, putInactiveKey, putActiveKey, putSession, putSecret             *stmt
		expireOld, expireOldKey                                                                         *stmt
		entity, entities, inlinePolicies, members, groupsOf, policy, policies, versions, attached       *stmt
		attachedTo, inactiveKeys, session, secret, generation                                           *stmt
	}
}

func newIdentity(b base) *Identity {
	s := &Identity{base: b.of("identity")}
	w, r := s.stmts.w, s.stmts.r
	s.st.bumpGeneration = w("bumpGeneration", `UPDATE iam_generation SET generation = generation + 1 WHERE id = 1`)
	s.st.createEntity = w("createEntity", `INSERT INTO iam_entities (name_key, `+entityColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.updateEntity = w("updateEntity", `UPDATE iam_entities SET name = ?, path = ?, description = ?, trust_policy = ?, max_session = ?, boundary = ?, tags = ?
		WHERE account_id = ? AND kind = ? AND name_key = ?`)
	s.st.deleteEntity = w("deleteEntity", `DELETE FROM iam_entities WHERE account_id = ? AND kind = ? AND name_key = ?`)
	s.st.deleteEntityInline = w("deleteEntityInline", `DELETE FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND entity = ?`)
	s.st.putInline = w("putInline", `INSERT INTO iam_inline_policies (account_id, kind, entity, name, document) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, kind, entity, name) DO UPDATE SET document = excluded.document`)
	s.st.deleteInline = w("deleteInline", `DELETE FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND entity = ? AND name = ?`)
	s.st.addMember = w("addMember", `INSERT INTO iam_group_members (account_id, group_name, user_name) VALUES (?, ?, ?)`)
	s.st.removeMember = w("removeMember", `DELETE FROM iam_group_members WHERE account_id = ? AND group_name = ? AND user_name = ?`)
	s.st.createPolicy = w("createPolicy", `INSERT INTO iam_policies (`+policyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.updatePolicy = w("updatePolicy", `UPDATE iam_policies SET description = ?, default_version = ?, tags = ?, updated_at = ? WHERE arn = ?`)
	s.st.deletePolicy = w("deletePolicy", `DELETE FROM iam_policies WHERE arn = ?`)
	s.st.deleteVersions = w("deleteVersions", `DELETE FROM iam_policy_versions WHERE policy_arn = ?`)
	s.st.takeVersion = w("takeVersion", `UPDATE iam_policies SET next_version = next_version + 1, updated_at = ? WHERE arn = ?
		RETURNING next_version - 1, (SELECT COUNT(*) FROM iam_policy_versions WHERE policy_arn = ?)`)
	s.st.setDefault = w("setDefault", `UPDATE iam_policies SET default_version = ? WHERE arn = ?`)
	s.st.insertVersion = w("insertVersion", `INSERT INTO iam_policy_versions (policy_arn, version_id, seq, document, created_at) VALUES (?, ?, ?, ?, ?)`)
	s.st.deleteVersion = w("deleteVersion", `DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?`)
	s.st.attach = w("attach", `INSERT INTO iam_attachments (account_id, kind, entity, policy_arn) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, kind, entity, policy_arn) DO NOTHING`)
	s.st.detach = w("detach", `DELETE FROM iam_attachments WHERE account_id = ? AND kind = ? AND entity = ? AND policy_arn = ?`)
	s.st.activeKey = w("activeKey", `SELECT id, secret, account_id, principal_arn, user_id, created_at FROM access_keys WHERE id = ? AND expires_at = 0`)
	s.st.inactiveKey = w("inactiveKey", `SELECT id, secret, account_id, principal_arn, user_id, created_at FROM iam_inactive_keys WHERE id = ?`)
	s.st.dropActiveKey = w("dropActiveKey", `DELETE FROM access_keys WHERE id = ?`)
	s.st.dropInactiveKey = w("dropInactiveKey", `DELETE FROM iam_inactive_keys WHERE id = ?`)
	s.st.putInactiveKey = w("putInactiveKey", `INSERT INTO iam_inactive_keys (id, secret, account_id, principal_arn, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
	s.st.putActiveKey = w("putActiveKey", `INSERT INTO access_keys (id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at)
		VALUES (?, ?, '', ?, ?, ?, 0, ?)`)
	s.st.putSession = w("putSession", `INSERT INTO iam_sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.putSecret = w("putSecret", `INSERT INTO server_secrets (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`)
	s.st.expireOld = w("expireOld", `DELETE FROM iam_sessions WHERE expires_at < ?`)
	s.st.expireOldKey = w("expireOldKey", `DELETE FROM access_keys WHERE expires_at <> 0 AND expires_at < ?`)
	s.st.entity = r("entity", `SELECT `+entityColumns+` FROM iam_entities WHERE account_id = ? AND kind = ? AND name_key = ?`)
	s.st.entities = r("entities", `SELECT `+entityColumns+` FROM iam_entities WHERE account_id = ? AND kind = ? ORDER BY name_key`)
	s.st.inlinePolicies = r("inlinePolicies", `SELECT account_id, kind, entity, name, document FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND entity = ? ORDER BY name`)
	s.st.members = r("members", `SELECT user_name FROM iam_group_members WHERE account_id = ? AND group_name = ? ORDER BY user_name`)
	s.st.groupsOf = r("groupsOf", `SELECT group_name FROM iam_group_members WHERE account_id = ? AND user_name = ? ORDER BY group_name`)
	s.st.policy = r("policy", `SELECT `+policyColumns+` FROM iam_policies WHERE arn = ?`)
	s.st.policies = r("policies", `SELECT `+policyColumns+` FROM iam_policies WHERE account_id = ? ORDER BY name`)
	s.st.versions = r("versions", `SELECT policy_arn, version_id, document, created_at FROM iam_policy_versions WHERE policy_arn = ? ORDER BY seq DESC`)
	s.st.attached = r("attached", `SELECT policy_arn FROM iam_attachments WHERE account_id = ? AND kind = ? AND entity = ? ORDER BY policy_arn`)
	s.st.attachedTo = r("attachedTo", `SELECT account_id, kind, entity, policy_arn FROM iam_attachments WHERE policy_arn = ? ORDER BY kind, entity`)
	s.st.inactiveKeys = r("inactiveKeys", `SELECT id, secret, account_id, principal_arn, user_id, created_at FROM iam_inactive_keys WHERE account_id = ? ORDER BY id`)
	s.st.session = r("session", `SELECT `+sessionColumns+` FROM iam_sessions WHERE access_key_id = ?`)
	s.st.secret = r("secret", `SELECT secret FROM server_secrets WHERE name = ?`)
	s.st.generation = r("generation", `SELECT generation FROM iam_generation WHERE id = 1`)
	return s
}

func (s *Identity) identityWrite(ctx context.Context, op string, fn func(ctx context.Context, tx Tx) error) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		_, err := s.st.bumpGeneration.in(ctx, tx).ExecContext(ctx)
		return s.fault(op, err)
	})
}

// affected turns a statement that touched no row into ErrNotFound.
func (s *Identity) affected(op string, res sql.Result, err error) error {
	if err != nil {
		return s.fault(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &store.Error{Op: "identity." + op, Kind: store.ErrNotFound}
	}
	return nil
}

func encodeTags(tags []store.Tag) string {
	if tags == nil {
		tags = []store.Tag{}
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

func decodeTags(s string) []store.Tag {
	var tags []store.Tag
	json.Unmarshal([]byte(s), &tags)
	if len(tags) == 0 {
		return nil
	}
	return tags
}

func scanEntity(row scanner) (store.Entity, error) {
	var e store.Entity
	var created int64
	var tags string
	err := row.Scan(&e.Account, &e.Kind, &e.Name, &e.ID, &e.Path, &e.ARN, &created, &e.Description, &e.TrustPolicy, &e.MaxSession, &e.Boundary, &tags)
	e.Created, e.Tags = fromNanos(created), decodeTags(tags)
	return e, err
}

// CreateEntity stores a new user, group or role.
func (s *Identity) CreateEntity(ctx context.Context, e store.Entity) error {
	return s.identityWrite(ctx, "CreateEntity", func(ctx context.Context, tx Tx) error {
		_, err := s.st.createEntity.in(ctx, tx).ExecContext(ctx, strings.ToLower(e.Name), e.Account, e.Kind, e.Name, e.ID, e.Path, e.ARN,
			nanos(e.Created), e.Description, e.TrustPolicy, e.MaxSession, e.Boundary, encodeTags(e.Tags))
		return s.fault("CreateEntity", err)
	})
}

// UpdateEntity replaces an entity's changeable fields (a rename included: the key is the old name).
func (s *Identity) UpdateEntity(ctx context.Context, e store.Entity) error {
	return s.identityWrite(ctx, "UpdateEntity", func(ctx context.Context, tx Tx) error {
		res, err := s.st.updateEntity.in(ctx, tx).ExecContext(ctx, e.Name, e.Path, e.Description, e.TrustPolicy, e.MaxSession, e.Boundary,
			encodeTags(e.Tags), e.Account, e.Kind, strings.ToLower(e.Name))
		return s.affected("UpdateEntity", res, err)
	})
}

// Entity reads one entity by name (any case).
func (s *Identity) Entity(ctx context.Context, account, kind, name string) (store.Entity, error) {
	e, err := scanEntity(s.st.entity.ps.QueryRowContext(ctx, account, kind, strings.ToLower(name)))
	return e, s.fault("Entity", err)
}

// Entities lists an account's entities of a kind by name.
func (s *Identity) Entities(ctx context.Context, account, kind string) ([]store.Entity, error) {
	rows, err := s.st.entities.ps.QueryContext(ctx, account, kind)
	out, err := collect(rows, err, 0, scanEntity)
	return out, s.fault("Entities", err)
}

// DeleteEntity removes an entity and its inline policies.
func (s *Identity) DeleteEntity(ctx context.Context, account, kind, name string) error {
	return s.identityWrite(ctx, "DeleteEntity", func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteEntity.in(ctx, tx).ExecContext(ctx, account, kind, strings.ToLower(name))
		if err := s.affected("DeleteEntity", res, err); err != nil {
			return err
		}
		_, err = s.st.deleteEntityInline.in(ctx, tx).ExecContext(ctx, account, kind, name)
		return s.fault("DeleteEntity", err)
	})
}

// PutInlinePolicy creates or replaces an inline policy.
func (s *Identity) PutInlinePolicy(ctx context.Context, p store.InlinePolicy) error {
	return s.identityWrite(ctx, "PutInlinePolicy", func(ctx context.Context, tx Tx) error {
		_, err := s.st.putInline.in(ctx, tx).ExecContext(ctx, p.Account, p.Kind, p.Entity, p.Name, p.Document)
		return s.fault("PutInlinePolicy", err)
	})
}

// InlinePolicies lists an entity's inline policies by name.
func (s *Identity) InlinePolicies(ctx context.Context, account, kind, entity string) ([]store.InlinePolicy, error) {
	rows, err := s.st.inlinePolicies.ps.QueryContext(ctx, account, kind, entity)
	out, err := collect(rows, err, 0, func(r scanner) (store.InlinePolicy, error) {
		var p store.InlinePolicy
		return p, r.Scan(&p.Account, &p.Kind, &p.Entity, &p.Name, &p.Document)
	})
	return out, s.fault("InlinePolicies", err)
}

// DeleteInlinePolicy removes an inline policy.
func (s *Identity) DeleteInlinePolicy(ctx context.Context, account, kind, entity, name string) error {
	return s.identityWrite(ctx, "DeleteInlinePolicy", func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteInline.in(ctx, tx).ExecContext(ctx, account, kind, entity, name)
		return s.affected("DeleteInlinePolicy", res, err)
	})
}

// AddMember puts a user in a group.
func (s *Identity) AddMember(ctx context.Context, account, group, user string) error {
	return s.identityWrite(ctx, "AddMember", func(ctx context.Context, tx Tx) error {
		_, err := s.st.addMember.in(ctx, tx).ExecContext(ctx, account, group, user)
		return s.fault("AddMember", err)
	})
}

// RemoveMember takes a user out of a group.
func (s *Identity) RemoveMember(ctx context.Context, account, group, user string) error {
	return s.identityWrite(ctx, "RemoveMember", func(ctx context.Context, tx Tx) error {
		res, err := s.st.removeMember.in(ctx, tx).ExecContext(ctx, account, group, user)
		return s.affected("RemoveMember", res, err)
	})
}

func (s *Identity) names(ctx context.Context, op string, st *stmt, args ...any) ([]string, error) {
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, func(r scanner) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
	return out, s.fault(op, err)
}

// Members lists a group's users.
func (s *Identity) Members(ctx context.Context, account, group string) ([]string, error) {
	return s.names(ctx, "Members", s.st.members, account, group)
}

// GroupsOf lists the groups a user is in.
func (s *Identity) GroupsOf(ctx context.Context, account, user string) ([]string, error) {
	return s.names(ctx, "GroupsOf", s.st.groupsOf, account, user)
}

func scanPolicy(row scanner) (store.ManagedPolicy, error) {
	var p store.ManagedPolicy
	var tags string
	var created, updated int64
	err := row.Scan(&p.ARN, &p.Account, &p.Name, &p.ID, &p.Path, &p.Description, &p.DefaultVersion, &p.NextVersion, &tags, &created, &updated)
	p.Tags, p.Created, p.Updated = decodeTags(tags), fromNanos(created), fromNanos(updated)
	return p, err
}

// CreatePolicy stores a managed policy with its first version.
func (s *Identity) CreatePolicy(ctx context.Context, p store.ManagedPolicy, first store.PolicyVersion) error {
	return s.identityWrite(ctx, "CreatePolicy", func(ctx context.Context, tx Tx) error {
		_, err := s.st.createPolicy.in(ctx, tx).ExecContext(ctx, p.ARN, p.Account, p.Name, p.ID, p.Path, p.Description, p.DefaultVersion,
			p.NextVersion, encodeTags(p.Tags), nanos(p.Created), nanos(p.Updated))
		if err != nil {
			return s.fault("CreatePolicy", err)
		}
		_, err = s.st.insertVersion.in(ctx, tx).ExecContext(ctx, p.ARN, first.VersionID, versionSeq(first.VersionID), first.Document, nanos(first.Created))
		return s.fault("CreatePolicy", err)
	})
}

func versionSeq(v string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "v"))
	return n
}

// UpdatePolicy replaces a policy's description, default version and tags.
func (s *Identity) UpdatePolicy(ctx context.Context, p store.ManagedPolicy) error {
	return s.identityWrite(ctx, "UpdatePolicy", func(ctx context.Context, tx Tx) error {
		res, err := s.st.updatePolicy.in(ctx, tx).ExecContext(ctx, p.Description, p.DefaultVersion, encodeTags(p.Tags), nanos(p.Updated), p.ARN)
		return s.affected("UpdatePolicy", res, err)
	})
}

// Policy reads a managed policy.
func (s *Identity) Policy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	p, err := scanPolicy(s.st.policy.ps.QueryRowContext(ctx, arn))
	return p, s.fault("Policy", err)
}

// Policies lists an account's managed policies by name.
func (s *Identity) Policies(ctx context.Context, account string) ([]store.ManagedPolicy, error) {
	rows, err := s.st.policies.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanPolicy)
	return out, s.fault("Policies", err)
}

// DeletePolicy removes a managed policy and its versions.
func (s *Identity) DeletePolicy(ctx context.Context, arn string) error {
	return s.identityWrite(ctx, "DeletePolicy", func(ctx context.Context, tx Tx) error {
		res, err := s.st.deletePolicy.in(ctx, tx).ExecContext(ctx, arn)
		if err := s.affected("DeletePolicy", res, err); err != nil {
			return err
		}
		_, err = s.st.deleteVersions.in(ctx, tx).ExecContext(ctx, arn)
		return s.fault("DeletePolicy", err)
	})
}

// CreatePolicyVersion adds a version. Taking the version number updates the policy's row, which
// serialises concurrent creations on PostgreSQL, so the count checked is exact.
func (s *Identity) CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, max int, now time.Time) (string, error) {
	var id string
	err := s.identityWrite(ctx, "CreatePolicyVersion", func(ctx context.Context, tx Tx) error {
		var seq, count int
		err := s.st.takeVersion.in(ctx, tx).QueryRowContext(ctx, nanos(now), arn, arn).Scan(&seq, &count)
		if err != nil {
			return s.fault("CreatePolicyVersion", err)
		}
		if count >= max {
			return &store.Error{Op: "identity.CreatePolicyVersion", Kind: store.ErrLimit}
		}
		id = "v" + strconv.Itoa(seq)
		if _, err := s.st.insertVersion.in(ctx, tx).ExecContext(ctx, arn, id, seq, document, nanos(now)); err != nil {
			return s.fault("CreatePolicyVersion", err)
		}
		if setDefault {
			_, err = s.st.setDefault.in(ctx, tx).ExecContext(ctx, id, arn)
		}
		return s.fault("CreatePolicyVersion", err)
	})
	return id, err
}

// PolicyVersions lists a policy's versions, newest first.
func (s *Identity) PolicyVersions(ctx context.Context, arn string) ([]store.PolicyVersion, error) {
	rows, err := s.st.versions.ps.QueryContext(ctx, arn)
	out, err := collect(rows, err, 0, func(r scanner) (store.PolicyVersion, error) {
		var v store.PolicyVersion
		var created int64
		err := r.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created)
		v.Created = fromNanos(created)
		return v, err
	})
	return out, s.fault("PolicyVersions", err)
}

// DeletePolicyVersion removes one version (the caller refuses the default).
func (s *Identity) DeletePolicyVersion(ctx context.Context, arn, version string) error {
	return s.identityWrite(ctx, "DeletePolicyVersion", func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteVersion.in(ctx, tx).ExecContext(ctx, arn, version)
		return s.affected("DeletePolicyVersion", res, err)
	})
}

// Attach attaches a managed policy to an entity.
func (s *Identity) Attach(ctx context.Context, a store.Attachment) error {
	return s.identityWrite(ctx, "Attach", func(ctx context.Context, tx Tx) error {
		_, err := s.st.attach.in(ctx, tx).ExecContext(ctx, a.Account, a.Kind, a.Entity, a.PolicyARN)
		return s.fault("Attach", err)
	})
}

// Detach detaches a managed policy.
func (s *Identity) Detach(ctx context.Context, a store.Attachment) error {
	return s.identityWrite(ctx, "Detach", func(ctx context.Context, tx Tx) error {
		res, err := s.st.detach.in(ctx, tx).ExecContext(ctx, a.Account, a.Kind, a.Entity, a.PolicyARN)
		return s.affected("Detach", res, err)
	})
}

// Attached lists the policy ARNs attached to an entity.
func (s *Identity) Attached(ctx context.Context, account, kind, entity string) ([]string, error) {
	return s.names(ctx, "Attached", s.st.attached, account, kind, entity)
}

// AttachedTo lists where a policy is attached.
func (s *Identity) AttachedTo(ctx context.Context, policyARN string) ([]store.Attachment, error) {
	rows, err := s.st.attachedTo.ps.QueryContext(ctx, policyARN)
	out, err := collect(rows, err, 0, func(r scanner) (store.Attachment, error) {
		var a store.Attachment
		return a, r.Scan(&a.Account, &a.Kind, &a.Entity, &a.PolicyARN)
	})
	return out, s.fault("AttachedTo", err)
}

func scanKeyRow(r scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	err := r.Scan(&k.ID, &k.Secret, &k.Account, &k.PrincipalARN, &k.UserID, &created)
	k.Created = fromNanos(created)
	return k, err
}

// SetKeyActive moves a long-term key in or out of the table that authenticates.
func (s *Identity) SetKeyActive(ctx context.Context, id string, active bool) error {
	from, drop, put := s.st.inactiveKey, s.st.dropInactiveKey, s.st.putActiveKey
	if !active {
		from, drop, put = s.st.activeKey, s.st.dropActiveKey, s.st.putInactiveKey
	}
	return s.identityWrite(ctx, "SetKeyActive", func(ctx context.Context, tx Tx) error {
		k, err := scanKeyRow(from.in(ctx, tx).QueryRowContext(ctx, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // already in the state asked for (the caller checked that the key exists)
		}
		if err != nil {
			return s.fault("SetKeyActive", err)
		}
		if _, err := drop.in(ctx, tx).ExecContext(ctx, id); err != nil {
			return s.fault("SetKeyActive", err)
		}
		_, err = put.in(ctx, tx).ExecContext(ctx, k.ID, k.Secret, k.Account, k.PrincipalARN, k.UserID, nanos(k.Created))
		return s.fault("SetKeyActive", err)
	})
}

// InactiveKeys lists an account's inactive keys.
func (s *Identity) InactiveKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	rows, err := s.st.inactiveKeys.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanKeyRow)
	return out, s.fault("InactiveKeys", err)
}

// DeleteInactiveKey removes an inactive key.
func (s *Identity) DeleteInactiveKey(ctx context.Context, id string) error {
	return s.identityWrite(ctx, "DeleteInactiveKey", func(ctx context.Context, tx Tx) error {
		res, err := s.st.dropInactiveKey.in(ctx, tx).ExecContext(ctx, id)
		return s.affected("DeleteInactiveKey", res, err)
	})
}

// PutSession records a session and drops the records and keys of sessions long expired.
func (s *Identity) PutSession(ctx context.Context, ss store.Session, now time.Time) error {
	pols, _ := json.Marshal(ss.Policies)
	keys, _ := json.Marshal(ss.TransitiveKeys)
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putSession.in(ctx, tx).ExecContext(ctx, ss.AccessKeyID, ss.Account, ss.RoleARN, ss.SessionName, ss.SourceIdentity,
			string(pols), boolInt(ss.HasPolicies), encodeTags(ss.Tags), string(keys), boolInt(ss.Chained), nanos(ss.Expires))
		if err != nil {
			return s.fault("PutSession", err)
		}
		old := nanos(now.Add(-24 * time.Hour))
		if _, err := s.st.expireOld.in(ctx, tx).ExecContext(ctx, old); err != nil {
			return s.fault("PutSession", err)
		}
		_, err = s.st.expireOldKey.in(ctx, tx).ExecContext(ctx, old)
		return s.fault("PutSession", err)
	})
}

// Session reads a session's record.
func (s *Identity) Session(ctx context.Context, accessKeyID string) (store.Session, error) {
	var ss store.Session
	var pols, tags, keys string
	var has, chained int
	var expires int64
	err := s.st.session.ps.QueryRowContext(ctx, accessKeyID).Scan(&ss.AccessKeyID, &ss.Account, &ss.RoleARN, &ss.SessionName, &ss.SourceIdentity,
		&pols, &has, &tags, &keys, &chained, &expires)
	if err != nil {
		return store.Session{}, s.fault("Session", err)
	}
	json.Unmarshal([]byte(pols), &ss.Policies)
	json.Unmarshal([]byte(keys), &ss.TransitiveKeys)
	ss.HasPolicies, ss.Chained, ss.Tags, ss.Expires = has == 1, chained == 1, decodeTags(tags), fromNanos(expires)
	return ss, nil
}

// ServerSecret returns the named secret, storing fresh when there is none yet.
func (s *Identity) ServerSecret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	var got string
	err := s.st.secret.ps.QueryRowContext(ctx, name).Scan(&got)
	if err == nil {
		return []byte(got), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.fault("ServerSecret", err)
	}
	err = s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putSecret.in(ctx, tx).ExecContext(ctx, name, string(fresh))
		return s.fault("ServerSecret", err)
	})
	if err != nil {
		return nil, err
	}
	err = s.st.secret.ps.QueryRowContext(ctx, name).Scan(&got)
	return []byte(got), s.fault("ServerSecret", err)
}

// IdentityGeneration reads the generation counter.
func (s *Identity) IdentityGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := s.st.generation.ps.QueryRowContext(ctx).Scan(&g)
	return g, s.fault("IdentityGeneration", err)
}
