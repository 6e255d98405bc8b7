"""A custom provider for tests/import/custom-providers.yaml: LiteLLM imports it from the
config's folder (litellm_settings.custom_provider_map). It answers every request with a
fixed text; nothing here is called while a config loads."""
import litellm
from litellm import CustomLLM


class EchoLLM(CustomLLM):
    def completion(self, *args, **kwargs) -> litellm.ModelResponse:
        return litellm.completion(
            model="gpt-3.5-turbo",
            messages=[{"role": "user", "content": "echo"}],
            mock_response="echo",
        )

    async def acompletion(self, *args, **kwargs) -> litellm.ModelResponse:
        return self.completion(*args, **kwargs)


echo_llm = EchoLLM()
