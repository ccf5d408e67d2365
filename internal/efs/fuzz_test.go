package efs

import (
	"path"
	"slices"
	"strings"
	"testing"
)

// FuzzRootDirectory: an access point's root directory path is either refused or a clean absolute
// path that stays inside the file system's tree.
func FuzzRootDirectory(f *testing.F) {
	for _, p := range []string{"/", "/lambda", "/a/../b", "a", "//x//y/", "/./x", strings.Repeat("/a", 60)} {
		f.Add(p, "755")
	}
	f.Fuzz(func(t *testing.T, p, perm string) {
		uid := int64(1)
		rd, err := checkRootDirectory(&RootDirectory{Path: p, CreationInfo: &CreationInfo{OwnerUid: &uid, OwnerGid: &uid, Permissions: perm}})
		if err != nil {
			return
		}
		if !strings.HasPrefix(rd.Path, "/") || len(rd.Path) > 100 || path.Clean(rd.Path) != rd.Path ||
			slices.Contains(strings.Split(rd.Path, "/"), "..") {
			t.Fatalf("checkRootDirectory(%q) = %q", p, rd.Path)
		}
	})
}
