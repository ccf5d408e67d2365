package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gureum/gureum/internal/store"
)

// fileSystemTests are the store.FileSystems part of the suite.
var fileSystemTests = []suiteTest{
	{"Resources", testFileSystemResources},
	{"DeleteWithChildren", testFileSystemDelete},
}

func efsResource(kind, id, fs, token string) store.FileSystemResource {
	return store.FileSystemResource{Kind: kind, Account: "111111111111", ID: id, FileSystemID: fs, Token: token,
		Doc: []byte(`{"id":"` + id + `"}`), Created: epoch}
}

func testFileSystemResources(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	fs := efsResource(store.EFSFileSystem, "fs-00000000000000001", "", "tok")
	got, err := s.CreateFileSystemResource(ctx, fs)
	if err != nil || got.Rev != 1 || got.FileSystemID != fs.ID {
		t.Fatalf("CreateFileSystemResource = %+v, %v", got, err)
	}
	// The same token answers the resource it made.
	again := efsResource(store.EFSFileSystem, "fs-00000000000000002", "", "tok")
	if x, err := s.CreateFileSystemResource(ctx, again); !errors.Is(err, store.ErrExists) || x.ID != fs.ID {
		t.Errorf("CreateFileSystemResource(same token) = %+v, %v; want the first and ErrExists", x, err)
	}
	// Another account may use the token.
	other := again
	other.Account = "222222222222"
	if _, err := s.CreateFileSystemResource(ctx, other); err != nil {
		t.Errorf("CreateFileSystemResource(other account, same token) = %v", err)
	}
	// Resources without a token never collide.
	for i := range 3 {
		ap := efsResource(store.EFSAccessPoint, fmt.Sprintf("fsap-0000000000000000%d", i), fs.ID, "")
		if _, err := s.CreateFileSystemResource(ctx, ap); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateFileSystemResource(ctx, efsResource(store.EFSAccessPoint, "fsap-00000000000000009", "fs-0000000000000000f", "")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("access point of a missing file system = %v; want ErrNotFound", err)
	}
	aps, err := s.ListFileSystemResources(ctx, store.EFSAccessPoint, fs.Account, fs.ID, "", 0)
	if err != nil || len(aps) != 3 || aps[0].ID != "fsap-00000000000000000" {
		t.Fatalf("ListFileSystemResources = %d, %v", len(aps), err)
	}
	page, _ := s.ListFileSystemResources(ctx, store.EFSAccessPoint, fs.Account, "", aps[0].ID, 1)
	if len(page) != 1 || page[0].ID != aps[1].ID {
		t.Errorf("page after the first = %+v", page)
	}
	fss, _ := s.ListFileSystemResources(ctx, store.EFSFileSystem, fs.Account, "", "", 0)
	if len(fss) != 1 {
		t.Errorf("file systems of the account = %d; want 1", len(fss))
	}
	got.Doc = []byte(`{"v":2}`)
	if err := s.UpdateFileSystemResource(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateFileSystemResource(ctx, got); !errors.Is(err, store.ErrConditionFailed) {
		t.Errorf("UpdateFileSystemResource(stale) = %v; want ErrConditionFailed", err)
	}
	if now, err := s.FileSystemResource(ctx, store.EFSFileSystem, fs.Account, fs.ID); err != nil || now.Rev != 2 || string(now.Doc) != `{"v":2}` {
		t.Errorf("after update = %+v, %v", now, err)
	}
	if _, err := s.FileSystemResource(ctx, store.EFSFileSystem, "222222222222", fs.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another account's read = %v; want ErrNotFound", err)
	}
}

func testFileSystemDelete(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	fs := efsResource(store.EFSFileSystem, "fs-00000000000000001", "", "")
	mustEFS(t, s, fs)
	mustEFS(t, s, efsResource(store.EFSAccessPoint, "fsap-00000000000000001", fs.ID, "c"))
	mustEFS(t, s, efsResource(store.EFSMountTarget, "fsmt-00000000000000001", fs.ID, ""))
	if err := s.DeleteFileSystemResource(ctx, store.EFSFileSystem, fs.Account, fs.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("delete with a mount target = %v; want ErrConflict", err)
	}
	if err := s.DeleteFileSystemResource(ctx, store.EFSMountTarget, fs.Account, "fsmt-00000000000000001"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFileSystemResource(ctx, store.EFSFileSystem, fs.Account, fs.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FileSystemResource(ctx, store.EFSAccessPoint, fs.Account, "fsap-00000000000000001"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("access point after its file system = %v; want ErrNotFound", err)
	}
	if err := s.DeleteFileSystemResource(ctx, store.EFSFileSystem, fs.Account, fs.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete again = %v; want ErrNotFound", err)
	}
}

func mustEFS(t *testing.T, s store.Store, r store.FileSystemResource) {
	t.Helper()
	if _, err := s.CreateFileSystemResource(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}
