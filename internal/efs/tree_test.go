package efs

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestResolveMount: an access point's root directory is made on first use with its CreationInfo,
// a mount is refused to other accounts and to roles a file system policy leaves out, and a role
// without ClientWrite gets a read-only mount.
func TestResolveMount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a root directory owned by another uid needs root")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Deps{Env: service.Env{Region: "us-east-1", DataDir: dir}, Store: st, Authorizer: iam.NewEnforcer(st, nil)})
	const account = "111111111111"
	ctx = request.With(ctx, &request.Info{Principal: request.RootPrincipal(account, "AKIA")})
	fs, err := s.CreateFileSystem(ctx, &CreateFileSystemInput{CreationToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	uid := int64(1001)
	ap, err := s.CreateAccessPoint(ctx, &CreateAccessPointInput{ClientToken: "c", FileSystemId: fs.FileSystemId,
		PosixUser:     &PosixUser{Uid: &uid, Gid: &uid},
		RootDirectory: &RootDirectory{Path: "/fn/data", CreationInfo: &CreationInfo{OwnerUid: &uid, OwnerGid: &uid, Permissions: "750"}}})
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + account + ":role/fn"
	m, err := s.ResolveMount(ctx, account, ap.AccessPointArn, role)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(m.Dir)
	if err != nil || !m.HasUser || m.UID != 1001 || m.ReadOnly {
		t.Fatalf("ResolveMount = %+v, %v", m, err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1001 || st.Gid != 1001 || fi.Mode().Perm() != 0o750 {
		t.Errorf("root directory %d:%d %v; want 1001:1001 0750", st.Uid, st.Gid, fi.Mode().Perm())
	}
	if _, err := s.ResolveMount(ctx, "222222222222", ap.AccessPointArn, role); awserr.As(err).Kind != awserr.AccessDenied {
		t.Errorf("another account's mount = %v; want AccessDenied", err)
	}
	// A policy granting the role ClientMount alone: a read-only mount; a policy naming another
	// role: no mount.
	for _, c := range []struct {
		principal, actions string
		mount, readOnly    bool
	}{
		{role, `"elasticfilesystem:ClientMount"`, true, true},
		{role, `["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"]`, true, false},
		{"arn:aws:iam::" + account + ":role/other", `"elasticfilesystem:*"`, false, false},
	} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + c.principal + `"},"Action":` + c.actions + `,"Resource":"*"}]}`
		if _, err := s.PutFileSystemPolicy(ctx, &PutFileSystemPolicyInput{FileSystemId: fs.FileSystemId, Policy: doc}); err != nil {
			t.Fatal(err)
		}
		m, err := s.ResolveMount(ctx, account, ap.AccessPointArn, role)
		if (err == nil) != c.mount || (err == nil && m.ReadOnly != c.readOnly) {
			t.Errorf("policy for %s %s: mount %+v, %v; want mount %v read-only %v", c.principal, c.actions, m, err, c.mount, c.readOnly)
		}
	}
}
