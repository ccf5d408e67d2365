package managed

import (
	"testing"

	"github.com/gureum/gureum/internal/iam/policy"
)

func TestPoliciesParse(t *testing.T) {
	all := All()
	if len(all) != 21 {
		t.Errorf("%d managed policies; want the 18 the issue lists, AWSCodeDeployRoleForLambda (SAM's DeploymentPreference), AWSLambdaVPCAccessExecutionRole (SAM's VpcConfig) and AWSCloudFormationReadOnlyAccess (the CDK bootstrap's deployment role)", len(all))
	}
	for _, p := range all {
		if _, err := policy.Parse(p.Document, policy.Identity); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if got, ok := Get(p.ARN); !ok || got.Document != p.Document {
			t.Errorf("Get(%s) = %v; want it", p.ARN, ok)
		}
	}
	if _, ok := Get("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"); ok {
		t.Errorf("Get without the service-role path succeeded")
	}
	if _, ok := Get("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); !ok {
		t.Errorf("Get(service-role/AWSLambdaBasicExecutionRole) failed")
	}
}
