using MarginFace.Cli.Commands.Eval;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Tests.Cli;

/// <summary><c>eval lfw-protocol</c> without <c>--config</c> trains the documented recipe, which the tool carries inside it.</summary>
public class EvalLfwProtocolRecipeTests
{
    [Fact]
    public void TheBuiltInRecipeIsTheRepositorysConfigsLfwProtocolJson()
    {
        var builtIn = EvalLfwProtocolCommand.DefaultRecipe();
        var file = JsonConfig.Read<FaceTrainingOptions>(RepositoryFolder.Combine("configs", "lfw-protocol.json"));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(file), System.Text.Json.JsonSerializer.Serialize(builtIn));
        Assert.Equal("mobilefacenet96", builtIn.Backbone);
        Assert.Equal(20, builtIn.Epochs);
    }
}
