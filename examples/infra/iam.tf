# IAM roles for the example workflows (Terraform). credflow reads them next to the workflows.

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

# Trusts pushes to main only; .github/workflows/trust.yml deploys from an environment.
resource "aws_iam_role" "web_deploy" {
  name = "web-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/web:ref:refs/heads/main" }
      }
    }]
  })
}

# StringEquals compares `*` literally: this role can never be assumed.
data "aws_iam_policy_document" "preview" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/web:*"]
    }
  }
}

resource "aws_iam_role" "web_preview" {
  name               = "web-preview"
  assume_role_policy = data.aws_iam_policy_document.preview.json
}

# Checks only the audience: any repository on GitHub can assume it.
resource "aws_iam_role" "ci_readonly" {
  name = "ci-readonly"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}
