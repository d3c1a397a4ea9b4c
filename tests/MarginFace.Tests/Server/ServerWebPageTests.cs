using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace MarginFace.Tests.Server;

/// <summary>
/// The web page in a real headless Chromium (Selenium WebDriver): give the key, upload an LFW photo, enrol its face, upload
/// another photo of the same person and see the right name. The page ends in a screenshot (temp folder; with
/// <c>MARGINFACE_UPDATE_DOCS=1</c>, docs/images/serve.png).
/// </summary>
[Trait("Category", "Integration")]
[Collection(ServerCollection.Name)]
public class ServerWebPageTests(ServerFixture server)
{
    [ChromiumFact("data/lfw/lfw-deepfunneled/Colin_Powell/Colin_Powell_0002.jpg", "models/yunet/yunet_s_dynamic.onnx")]
    public async Task APhotoEnrolledOnThePageNamesAnotherPhotoOfThePerson()
    {
        var address = await server.StartListening(server.Options("browser"));
        var options = new ChromeOptions { BinaryLocation = ChromiumFactAttribute.Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,640");
        using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromiumFactAttribute.Driver)!, Path.GetFileName(ChromiumFactAttribute.Driver));
        service.HideCommandPromptWindow = true;
        using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30));
        // The page rebuilds its lists after each answer: an element read while it is replaced is looked up again.
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));

        driver.Navigate().GoToUrl(address + "/");
        driver.FindElement(By.Id("key")).SendKeys(server.BothKey);
        driver.FindElement(By.Id("save-key")).Click();
        wait.Until(d => d.FindElement(By.Id("people")).Text.Contains("nobody yet"));

        driver.FindElement(By.Id("photo")).SendKeys(TestImages.LfwPath("Colin_Powell", 1));
        wait.Until(d => d.FindElements(By.Id("match-0")).Count == 1 && d.FindElement(By.Id("match-0")).Text == "unknown");
        driver.FindElement(By.Id("enrol-name-0")).SendKeys("Colin Powell");
        driver.FindElement(By.Id("enrol-0")).Click();
        wait.Until(d => d.FindElement(By.Id("status")).Text.StartsWith("enrolled Colin Powell", StringComparison.Ordinal));
        wait.Until(d => d.FindElement(By.Id("people")).Text.Contains("Colin Powell"));

        driver.FindElement(By.Id("photo")).SendKeys(TestImages.LfwPath("Colin_Powell", 2));
        wait.Until(d => d.FindElements(By.Id("match-0")).Count == 1 && d.FindElement(By.Id("match-0")).Text.StartsWith("Colin Powell (0.", StringComparison.Ordinal));
        wait.Until(d => d.FindElement(By.Id("status")).Text == "1 face");

        var shot = driver.GetScreenshot();
        shot.SaveAsFile(server.Work.Combine("serve.png"));
        if (Environment.GetEnvironmentVariable("MARGINFACE_UPDATE_DOCS") == "1")
            shot.SaveAsFile(RepositoryFolder.Combine("docs", "images", "serve.png"));
    }
}
