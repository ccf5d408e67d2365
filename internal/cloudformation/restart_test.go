package cloudformation_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gureum/gureum/internal/gureumtest"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestOperationSurvivesRestart stores a stack whose create operation no node has run (as a
// node that died right after recording it leaves it), then starts gureum on the same data: the
// operation's task is claimed and the stack is created.
func TestOperationSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir, Args: []string{"--log-level", "warn"}})
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "gureum.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The stack's document as the engine keeps it (state.go's stackDoc), operation included.
	now := time.Now().UTC()
	id := "arn:aws:cloudformation:us-east-1:000000000000:stack/resumed/1b4e28ba-2fa1-41d2-883f-0016d3cca427"
	doc, _ := json.Marshal(map[string]any{"ID": id, "Name": "resumed", "Account": "000000000000", "Status": "CREATE_IN_PROGRESS",
		"Created": now, "Body": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
		"Caller": map[string]any{"Account": "000000000000", "ARN": "arn:aws:iam::000000000000:root", "UserID": "000000000000", "Root": true, "Host": "localhost"},
		"Op":     map[string]any{"Kind": "CREATE", "Phase": "apply", "Template": map[string]any{"Resources": map[string]any{"Q": map[string]any{"Type": "AWS::SQS::Queue"}}}}})
	if err := st.CreateStack(ctx, store.Stack{ID: id, Account: "000000000000", Name: "resumed", Status: "CREATE_IN_PROGRESS", Doc: doc,
		Created: now, Updated: now}, nil, true); err != nil {
		t.Fatal(err)
	}
	st.Close()

	srv = gureumtest.Start(t, gureumtest.Options{DataDir: dir, Args: []string{"--log-level", "warn"}})
	client := cfn.NewFromConfig(srv.Config())
	deadline := time.Now().Add(30 * time.Second) // a hang guard: the runner claims tasks every 2 s
	for {
		out, err := client.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("resumed")})
		if err != nil {
			t.Fatal(err)
		}
		if s := out.Stacks[0].StackStatus; s == cfntypes.StackStatusCreateComplete {
			break
		} else if s != cfntypes.StackStatusCreateInProgress || time.Now().After(deadline) {
			t.Fatalf("status = %s (%s); want the stored operation to run to CREATE_COMPLETE", s, aws.ToString(out.Stacks[0].StackStatusReason))
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := client.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("resumed")})
	if err != nil || len(res.StackResourceSummaries) != 1 || res.StackResourceSummaries[0].ResourceStatus != cfntypes.ResourceStatusCreateComplete {
		t.Errorf("resources = %+v, %v; want Q created", res, err)
	}
}
