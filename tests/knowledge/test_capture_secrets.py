"""Secrets in captured answers: refused, while everyday ACR answers (digests, IDs, ports) pass.

A refused legitimate answer costs an expert's time, a kept secret is posted
to everyone: both lists matter. Written before the rules were tuned.
"""

from __future__ import annotations

import random
import string

import pytest

from bot.knowledge.secret_text import secret_in

BENIGN = [
    "docker pull myreg.azurecr.io/app@sha256:" + "3b5d1c2e7f0a9b8c6d4e2f1a0b9c8d7e" * 2,
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/myRG/providers/"
    "Microsoft.ContainerRegistry/registries/myreg",
    "git commit 3b5d1c2e7f0a9b8c6d4e2f1a0b9c8d7e6f5a4b3c",
    "docker run -p 8080:80 myreg.azurecr.io/web",
    "az acr login -n myreg --expose-token --output tsv --query accessToken",
    "docker login myreg.azurecr.io -u 00000000-0000-0000-0000-000000000000 -p $TOKEN",
    "Set the password with `az acr credential renew --password-name password2`",
    "Use a service principal: --password <client-secret>",
    "kubectl create secret docker-registry acr-secret --docker-password=$SP_PASSWD",
    "password: ${{ secrets.ACR_PASSWORD }}",
    "docker login -u admin -p ***",
    "password: see Key Vault",
    "Run `helm registry login myreg.azurecr.io --username $USER --password-stdin`",
    "ContainerRegistryRepositoryEventsWebhookTriggerConfiguration2023",
    "https://github.com/Azure/acr/blob/main/docs/Token-BasicAuth.md#using-the-acr-refresh-token",
    "az role assignment create --assignee 11111111-2222-3333-4444-555555555555 --role AcrPull",
    "镜像摘要是 sha256:" + "ab" * 32 + "，请用 az acr repository show 查看",
    "echo $ACR_PASSWORD | docker login myreg.azurecr.io -u admin --password-stdin",
    "az acr login -n myreg --expose-token | jq -r .accessToken | docker login --password-stdin",
    "echo done | tee log && az acr login -n myreg",
    "密码：请在 Key Vault 中查看",
    "密码：请在KeyVault中查看，不要贴在这里",
    "密码：Azure门户里的访问密钥",
    "密码：admin用户的密码",
    "ghp_ tokens start with that prefix; never paste one here",
]
SECRETS = [
    "docker login myreg.azurecr.io -u myreg -p Xy7pQ2mN9vB4kL1sD8fG3hJ6wE0rT5yU",
    "admin password is 9s8D7f6G5h4J3k2L1+zXcVbNm/QwErTyUiOp=",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + "aB3dE5fG7h" * 8 + "==",
    "export ACR_PASSWORD=Xy7pQ2mN9vB4kL1sD8fG3hJ6",
    "pwd: hunter2hunter2",
    "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.sig-abc_def",
    "the bot token is xoxb-1234-5678-abcdef",
    "client_secret=Q~abc8Q~defGhiJklMnoPqrStuVwx12345678",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...",
    "密码是 password=Zq8Xw7Cv6Bn5",
    "echo 'Sup3rS3cretPassw0rd!' | docker login myreg.azurecr.io -u admin --password-stdin",
    "printf %s Hunter2Hunter2 | helm registry login myreg.azurecr.io --password-stdin",
    "use ghp_abcdefghijklmnopqrstuvwxyz0123456789 as the GitHub token",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFG",
    "AWS key AKIAIOSFODNN7EXAMPLE",
    "密码=Hunter2Hunter2",
    "密碼：Hunter2Hunter2",
    "aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
]


@pytest.mark.parametrize("text", BENIGN)
def test_everyday_answers_pass(text: str) -> None:
    assert secret_in(text) is None


@pytest.mark.parametrize("text", SECRETS)
def test_secrets_are_found(text: str) -> None:
    assert secret_in(text) is not None


def test_most_bare_generated_keys_are_found() -> None:
    """A bare key with no label: caught by its look (long, mixed, varied); most, not all."""
    rng = random.Random(16)
    alphabet = string.ascii_letters + string.digits + "+/"
    keys = ["".join(rng.choice(alphabet) for _ in range(44)) for _ in range(500)]
    caught = sum(secret_in(f"the key is {k}") is not None for k in keys)
    assert caught / len(keys) >= 0.85
