/**
 * A multi-step quick input with a step counter and a back button, after the pattern of VS Code's
 * quickinput sample. Each step is a function that returns the next step; Back re-runs the previous one.
 */
import * as vscode from 'vscode';

class BackSignal {}
class CancelSignal {}

export type InputStep = (input: MultiStepInput) => Promise<InputStep | void>;

interface CommonOptions {
  title: string;
  step: number;
  totalSteps: number;
  placeholder?: string;
}

export interface InputBoxOptions extends CommonOptions {
  value: string;
  prompt: string;
  validate: (text: string) => string | undefined;
}

export interface QuickPickOptions<T extends vscode.QuickPickItem> extends CommonOptions {
  items: readonly T[];
  activeItem?: T;
}

export class MultiStepInput {
  private readonly history: InputStep[] = [];

  /** Runs the steps; resolves `true` when all were answered, `false` when the user cancelled. */
  static async run(start: InputStep): Promise<boolean> {
    return new MultiStepInput().runFrom(start);
  }

  private async runFrom(start: InputStep): Promise<boolean> {
    let step: InputStep | void = start;
    while (step) {
      this.history.push(step);
      try {
        step = await step(this);
      } catch (signal) {
        if (signal instanceof BackSignal) {
          this.history.pop();
          step = this.history.pop();
        } else if (signal instanceof CancelSignal) {
          return false;
        } else {
          throw signal;
        }
      }
    }
    return true;
  }

  showInputBox(options: InputBoxOptions): Promise<string> {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.step = options.step;
    box.totalSteps = options.totalSteps;
    box.value = options.value;
    box.prompt = options.prompt;
    box.placeholder = options.placeholder;
    box.ignoreFocusOut = true;
    box.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
    box.validationMessage = undefined;
    return this.show(box, (resolve, disposables) => {
      disposables.push(
        box.onDidChangeValue((text) => (box.validationMessage = text === options.value ? undefined : options.validate(text))),
        box.onDidAccept(() => {
          const problem = options.validate(box.value);
          if (problem) {
            box.validationMessage = problem;
          } else {
            resolve(box.value);
          }
        }),
      );
    });
  }

  showQuickPick<T extends vscode.QuickPickItem>(options: QuickPickOptions<T>): Promise<T> {
    const pick = vscode.window.createQuickPick<T>();
    pick.title = options.title;
    pick.step = options.step;
    pick.totalSteps = options.totalSteps;
    pick.placeholder = options.placeholder;
    pick.ignoreFocusOut = true;
    pick.items = options.items;
    if (options.activeItem) {
      pick.activeItems = [options.activeItem];
    }
    pick.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
    return this.show(pick, (resolve, disposables) => {
      disposables.push(
        pick.onDidAccept(() => {
          const [chosen] = pick.selectedItems.length > 0 ? pick.selectedItems : pick.activeItems;
          if (chosen) {
            resolve(chosen);
          }
        }),
      );
    });
  }

  private show<R>(
    input: vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem>,
    wire: (resolve: (value: R) => void, disposables: vscode.Disposable[]) => void,
  ): Promise<R> {
    const disposables: vscode.Disposable[] = [input];
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const settle = (action: () => void) => {
        if (!settled) {
          settled = true;
          action();
        }
      };
      wire((value) => settle(() => resolve(value)), disposables);
      disposables.push(
        input.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) {
            settle(() => reject(new BackSignal()));
          }
        }),
        input.onDidHide(() => settle(() => reject(new CancelSignal()))),
      );
      input.show();
    }).finally(() => disposables.forEach((disposable) => disposable.dispose()));
  }
}
