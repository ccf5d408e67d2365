package iam_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

const allowS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func TestUsersAndKeys(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	c := awsiam.NewFromConfig(srv.Config())
	out, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/team/"),
		Tags: []types.Tag{{Key: aws.String("dept"), Value: aws.String("eng")}}})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if got, want := aws.ToString(out.User.Arn), "arn:aws:iam::"+gureumtest.AccountID+":user/team/alice"; got != want {
		t.Errorf("Arn = %s; want %s", got, want)
	}
	if !strings.HasPrefix(aws.ToString(out.User.UserId), "AIDA") {
		t.Errorf("UserId = %s; want AIDA…", aws.ToString(out.User.UserId))
	}
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ALICE")}); apiCode(err) != "EntityAlreadyExists" {
		t.Errorf("CreateUser(ALICE) = %v; want EntityAlreadyExists", err)
	}
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bad name")}); apiCode(err) != "ValidationError" {
		t.Errorf("CreateUser(bad name) = %v; want ValidationError", err)
	}
	got, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("alice")})
	if err != nil || aws.ToString(got.User.UserName) != "alice" || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	if _, err := c.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("GetUser(nobody) = %v; want NoSuchEntity", err)
	}
	list, err := c.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(list.Users) != 1 {
		t.Errorf("ListUsers = %+v, %v; want alice", list, err)
	}

	key, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	id, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	if !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(secret) != 40 {
		t.Errorf("key %s/%d chars; want AKIA… of 20 and a 40-character secret", id, len(secret))
	}
	// The key authenticates as alice at once (whether alice may call is the authorizer's say:
	// its denial names her).
	aliceSTS := sts.NewFromConfig(gureumtest.ConfigFor(srv.Endpoint, id, secret, ""))
	who, err := aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil && aws.ToString(who.Arn) != aws.ToString(out.User.Arn) || err != nil && !strings.Contains(err.Error(), aws.ToString(out.User.Arn)) {
		t.Errorf("GetCallerIdentity as alice = %+v, %v; want alice", who, err)
	}
	if _, err := c.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive}); err != nil {
		t.Fatalf("UpdateAccessKey: %v", err)
	}
	keys, err := c.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != types.StatusTypeInactive {
		t.Errorf("ListAccessKeys = %+v, %v; want one inactive key", keys, err)
	}
	time.Sleep(1100 * time.Millisecond) // the key cache's TTL
	if _, err := aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("GetCallerIdentity with an inactive key = %v; want InvalidClientTokenId", err)
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteUser with a key = %v; want DeleteConflict", err)
	}
	if _, err := c.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteAccessKey: %v", err)
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}
}

func TestRolesPoliciesAndGroups(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	c := awsiam.NewFromConfig(srv.Config())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument)); doc != trust {
		t.Errorf("AssumeRolePolicyDocument = %s; want the URL-encoded trust policy", aws.ToString(role.Role.AssumeRolePolicyDocument))
	}
	if aws.ToInt32(role.Role.MaxSessionDuration) != 3600 {
		t.Errorf("MaxSessionDuration = %d; want 3600", aws.ToInt32(role.Role.MaxSessionDuration))
	}
	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	if apiCode(err) != "MalformedPolicyDocument" {
		t.Errorf("CreateRole(no principal) = %v; want MalformedPolicyDocument", err)
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(allowS3)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("x"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)}); apiCode(err) != "MalformedPolicyDocument" {
		t.Errorf("PutRolePolicy(no resource) = %v; want MalformedPolicyDocument", err)
	}
	gp, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("s3")})
	if doc, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); err != nil || doc != allowS3 {
		t.Errorf("GetRolePolicy = %v, %v", doc, err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}
	at, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil || len(at.AttachedPolicies) != 1 || aws.ToString(at.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Errorf("ListAttachedRolePolicies = %+v, %v", at, err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("fn")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteRole with policies = %v; want DeleteConflict", err)
	}

	// A managed policy with versions.
	pol, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3)})
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	arn := pol.Policy.Arn
	for i := 2; i <= 5; i++ {
		if _, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowS3), SetAsDefault: i == 3}); err != nil {
			t.Fatalf("CreatePolicyVersion %d: %v", i, err)
		}
	}
	if _, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowS3)}); apiCode(err) != "LimitExceeded" {
		t.Errorf("sixth CreatePolicyVersion = %v; want LimitExceeded", err)
	}
	gpol, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToString(gpol.Policy.DefaultVersionId) != "v3" {
		t.Errorf("GetPolicy = %+v, %v; want default v3", gpol, err)
	}
	if _, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeletePolicyVersion(default) = %v; want DeleteConflict", err)
	}
	vs, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil || len(vs.Versions) != 5 {
		t.Errorf("ListPolicyVersions = %v, %v; want 5", vs, err)
	}

	checkGroupsAndSimulator(t, c, arn)
}

// checkGroupsAndSimulator puts a user in a group with the managed policy arn and simulates.
func checkGroupsAndSimulator(t *testing.T, c *awsiam.Client, arn *string) {
	ctx := context.Background()
	c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")})
	if _, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	sim, err := c.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + gureumtest.AccountID + ":user/bob"),
		ActionNames:     []string{"s3:GetObject", "sqs:SendMessage"},
	})
	if err != nil || len(sim.EvaluationResults) != 2 {
		t.Fatalf("SimulatePrincipalPolicy = %+v, %v", sim, err)
	}
	if r := sim.EvaluationResults[0]; r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 1 ||
		aws.ToString(r.MatchedStatements[0].SourcePolicyId) != aws.ToString(arn) {
		t.Errorf("s3:GetObject = %s %+v; want allowed by %s", r.EvalDecision, r.MatchedStatements, aws.ToString(arn))
	} else if m := r.MatchedStatements[0]; m.StartPosition.Line != 1 || m.StartPosition.Column != 38 || m.EndPosition.Column != 87 {
		t.Errorf("matched statement at %+v-%+v; want 1:38-1:87", *m.StartPosition, *m.EndPosition)
	}
	if r := sim.EvaluationResults[1]; r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("sqs:SendMessage = %s; want implicitDeny", r.EvalDecision)
	}
	custom, err := c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`},
		ActionNames:     []string{"s3:GetObject"},
		ContextEntries:  []types.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyValues: []string{"10.1.1.1"}, ContextKeyType: types.ContextKeyTypeEnumIp}},
	})
	if err != nil || custom.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("SimulateCustomPolicy = %+v, %v; want allowed", custom, err)
	}
	details, err := c.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
	if err != nil || len(details.UserDetailList) != 1 || len(details.GroupDetailList) != 1 || len(details.RoleDetailList) != 1 || len(details.Policies) != 2 {
		t.Errorf("GetAccountAuthorizationDetails = %d users, %d groups, %d roles, %d policies, %v; want 1, 1, 1, 2 (p and the attached AWS policy)",
			len(details.UserDetailList), len(details.GroupDetailList), len(details.RoleDetailList), len(details.Policies), err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn})
	if err != nil || len(ents.PolicyGroups) != 1 {
		t.Errorf("ListEntitiesForPolicy = %+v, %v; want devs", ents, err)
	}
	if _, err := c.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AmazonSQSFullAccess")}); err != nil {
		t.Fatal(err)
	}
	sim, err = c.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + gureumtest.AccountID + ":user/bob"), ActionNames: []string{"s3:GetObject"}})
	if err != nil || sim.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("SimulatePrincipalPolicy under an SQS boundary = %+v, %v; want implicitDeny", sim, err)
	}
}

func TestProfilesAccepted(t *testing.T) {
	srv := gureumtest.Start(t, gureumtest.Options{})
	ctx := context.Background()
	c := awsiam.NewFromConfig(srv.Config())
	c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("carol")})
	lp, err := c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Secret-1234"), PasswordResetRequired: true})
	if err != nil || !lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("CreateLoginProfile = %+v, %v", lp, err)
	}
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("carol")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteUser with a login profile = %v; want DeleteConflict", err)
	}
	if _, err := c.DeleteLoginProfile(ctx, &awsiam.DeleteLoginProfileInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetLoginProfile(ctx, &awsiam.GetLoginProfileInput{UserName: aws.String("carol")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("GetLoginProfile after delete = %v; want NoSuchEntity", err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	if _, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ip")})
	if err != nil || len(got.InstanceProfile.Roles) != 1 || aws.ToString(got.InstanceProfile.Roles[0].RoleName) != "r" {
		t.Errorf("GetInstanceProfile = %+v, %v; want role r", got, err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteRole in an instance profile = %v; want DeleteConflict", err)
	}
	for_, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r")})
	if err != nil || len(for_.InstanceProfiles) != 1 {
		t.Errorf("ListInstanceProfilesForRole = %+v, %v", for_, err)
	}
	c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	if _, err := c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ip")}); err != nil {
		t.Errorf("DeleteInstanceProfile: %v", err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Errorf("DeleteRole: %v", err)
	}
}
